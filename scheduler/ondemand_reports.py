"""Officials' `/report` requests, built in the background and sent through the outbox.

The flow (handlers/reports.py) only records a request. This worker picks pending requests up
(polling the table every couple of seconds, and once at start, so requests left by a stopped
process are simply built again) and builds each report in a child process
(scheduler/report_process.py says why). Then one short transaction queues the file to the
person (or, if the build failed, an apology) and closes the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from handlers.clock import Clock, to_db
from handlers.i18n import Translator
from handlers.periods import Period, jurisdiction_label, parse_period
from handlers.replies import DocumentReply, Reply, TextReply, to_payload
from scheduler.report_process import BuiltReport, ReportBuilder
from scheduler.reports import REPORTS_DIR, report_filename
from storage.db import Database
from storage.media import MediaStore
from storage.models import ReportRequest, ReportRequestStatus
from storage.repositories import people, report_requests
from storage.repositories import reminders as reminders_repo
from storage.repositories.officials import Scope, scope_of
from storage.units import UnitDirectory

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


class OnDemandReports:
    def __init__(self, db: Database, clock: Clock, units: UnitDirectory, media: MediaStore,
                 tz: ZoneInfo, *, on_queued: Callable[[], None] = lambda: None,
                 builder: ReportBuilder | None = None,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.clock = clock
        self.units = units
        self.media = media
        self.tz = tz
        self.on_queued = on_queued
        self.poll_seconds = poll_seconds
        self._owns_builder = builder is None
        self.builder = builder or ReportBuilder(db.url, tz)
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
        if self._owns_builder:
            self.builder.close()

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
        relative = f"{REPORTS_DIR}/ondemand-{request.id}.xlsx"
        built: BuiltReport | None = None
        async with self.db.reading() as session:
            asker = await people.get_person(session, request.person_id)
        if asker is None or scope_of(asker) != scope:
            # No longer an official of that jurisdiction (removed or moved meanwhile): the
            # report is not built, and nothing is sent.
            log.info("on-demand report dropped: the asker's scope changed",
                     extra={"report_request": request.id})
            return await self._close(request, ReportRequestStatus.FAILED, reply=None)
        try:
            if period is None:
                raise ValueError("unreadable period")
            # Written here, then kept in the media store (uploaded, for a bucket).
            target = await asyncio.to_thread(self.media.document_target, relative)
            built = await self.builder.build(scope, period, target, self.clock.now())
            await asyncio.to_thread(self.media.keep_document, relative, target)
        except Exception:
            log.exception("on-demand report failed", extra={"report_request": request.id})
        reply = self._reply(Translator(asker.language), request, scope, period, relative, built)
        status = ReportRequestStatus.FAILED if built is None else ReportRequestStatus.DONE
        return await self._close(request, status, reply=reply)

    async def _close(self, request: ReportRequest, status: ReportRequestStatus, *,
                     reply: Reply | None) -> bool:
        """Close the request and queue its reply, in one transaction."""
        async with self.db.session() as session:
            now = to_db(self.clock.now())
            if not await report_requests.finish(session, request_id=request.id, status=status,
                                                now=now):
                await session.rollback()  # closed meanwhile (another worker): nothing to send
                return False
            if reply is not None:
                await reminders_repo.schedule(
                    session, key=f"report-request:{request.id}", person_id=request.person_id,
                    payload=to_payload([reply]), now=now, not_before=now, expires_at=None,
                    quiet_hours=False)  # the answer to their own request: not held back
            await session.commit()
        if reply is not None:
            self.on_queued()
        return True

    def _reply(self, t: Translator, request: ReportRequest, scope: Scope, period: Period | None,
               relative: str, built: BuiltReport | None) -> Reply:
        where = jurisdiction_label(t, scope, self.units)
        if built is None or period is None:
            return TextReply(t("report.failed", jurisdiction=where, period=request.period))
        caption = t("report.ready", jurisdiction=where, period=period.label(),
                    practices=built.practices, feedback=built.feedback)
        return DocumentReply(relative, report_filename(scope, period), caption)
