"""Officials' `/report` requests, built in the background and sent through the outbox.

The flow (handlers/reports.py) only records a request. This worker picks pending requests up
(polling the table every couple of seconds, and once at start, so requests left by a stopped
process are simply built again) and builds each report in a separate process: gathering a
whole country's practices and writing the workbook take seconds of CPU, which in the bot's
process would hold the event loop and the GIL, and on SQLite the writer lock, freezing every
chat. The child opens its own database connection, reads with `Database.reading()`, writes the
file under MEDIA_DIR and returns the few figures of the caption. Then one short transaction
queues the file to the person (or, if the build failed, an apology) and closes the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.clock import Clock, to_db
from handlers.i18n import Translator
from handlers.replies import DocumentReply, Reply, TextReply, to_payload
from scheduler.reports import (
    REPORTS_DIR,
    Period,
    compute,
    gather,
    jurisdiction_label,
    parse_period,
    report_filename,
    write_workbook,
)
from storage.db import Database
from storage.models import ReportRequest, ReportRequestStatus
from storage.repositories import people, report_requests
from storage.repositories import reminders as reminders_repo
from storage.repositories.officials import Scope
from storage.units import UnitDirectory

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


@dataclass(frozen=True)
class BuiltReport:
    """What the caption needs; the workbook itself is on disk."""

    practices: int
    feedback: int


def build_report_file(database_url: str, level: str, unit_code: str | None, start: date,
                      end: date, tz_name: str, path: str, generated_at: datetime,
                      ) -> BuiltReport:
    """Build one workbook, in a process of its own (hence plain values in and out)."""
    return asyncio.run(_build(database_url, Scope(level, unit_code), Period(start, end),
                              ZoneInfo(tz_name), Path(path), generated_at))


async def _build(database_url: str, scope: Scope, period: Period, tz: ZoneInfo, path: Path,
                 generated_at: datetime) -> BuiltReport:
    db = Database(database_url)
    try:
        async with db.reading() as session:
            data = await gather(session, scope=scope, period=period, tz=tz)
    finally:
        await db.dispose()
    figures = compute(data)
    write_workbook(data, figures, path, units=UnitDirectory.load(), tz=tz,
                   generated_at=generated_at)
    return BuiltReport(figures.practices_total, figures.feedback_total)


def spawn_executor() -> Executor:
    """One child process, started fresh ("spawn": no copy of the bot's loop or connections)."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


class OnDemandReports:
    def __init__(self, db: Database, clock: Clock, units: UnitDirectory, media_root: Path,
                 tz: ZoneInfo, *, on_queued: Callable[[], None] = lambda: None,
                 executor: Callable[[], Executor] = spawn_executor,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.clock = clock
        self.units = units
        self.media_root = media_root
        self.tz = tz
        self.on_queued = on_queued
        self.poll_seconds = poll_seconds
        self._make_executor = executor
        self._executor: Executor | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.create_task(self._poll(), name="ondemand-reports")

    async def stop(self) -> None:
        """Stop polling; a report being built stays pending and is built at the next start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def run(self) -> int:
        """Build and queue every request pending now; returns how many were closed."""
        async with self._lock:
            async with self.db.reading() as session:
                requests = list(await report_requests.pending(session))
            closed = 0
            for request in requests:
                closed += await self._process(request)
            return closed

    async def _poll(self) -> None:
        while True:
            try:
                await self.run()
            except Exception:
                log.exception("on-demand reports pass failed")
            await asyncio.sleep(self.poll_seconds)

    async def _process(self, request: ReportRequest) -> bool:
        """Build one report, then queue it (or an apology) and close the request at once."""
        scope = Scope(request.level, request.unit_code)
        period = parse_period(request.period, self.clock.now().astimezone(self.tz).date())
        relative = Path(REPORTS_DIR) / f"ondemand-{request.id}.xlsx"
        built: BuiltReport | None = None
        try:
            if period is None:
                raise ValueError("unreadable period")
            built = await self._build(scope, period, self.media_root / relative)
        except Exception:
            log.exception("on-demand report failed", extra={"report_request": request.id})
        async with self.db.session() as session:
            now = to_db(self.clock.now())
            status = ReportRequestStatus.FAILED if built is None else ReportRequestStatus.DONE
            if not await report_requests.finish(session, request_id=request.id, status=status,
                                                now=now):
                await session.rollback()  # closed meanwhile (another worker): nothing to send
                return False
            person = await people.get_person(session, request.person_id)
            if person is not None:
                reply = self._reply(Translator(person.language), request, scope, period,
                                    relative, built)
                await reminders_repo.schedule(
                    session, key=f"report-request:{request.id}", person_id=person.id,
                    payload=to_payload([reply]), now=now, not_before=now, expires_at=None,
                    quiet_hours=False)  # the answer to their own request: not held back
            await session.commit()
        self.on_queued()
        return True

    def _reply(self, t: Translator, request: ReportRequest, scope: Scope, period: Period | None,
               relative: Path, built: BuiltReport | None) -> Reply:
        where = jurisdiction_label(t, scope, self.units)
        if built is None or period is None:
            return TextReply(t("report.failed", jurisdiction=where, period=request.period))
        caption = t("report.ready", jurisdiction=where, period=period.label(),
                    practices=built.practices, feedback=built.feedback)
        return DocumentReply(str(relative), report_filename(scope, period), caption)

    async def _build(self, scope: Scope, period: Period, path: Path) -> BuiltReport:
        if self._executor is None:
            self._executor = self._make_executor()
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, build_report_file, self.db.url, scope.level, scope.unit_code,
                period.start, period.end, self.tz.key, str(path), self.clock.now())
        except BrokenExecutor:  # the child died (killed, out of memory): a fresh one next time
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            raise
