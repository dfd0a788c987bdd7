"""Reports are built in a child process: gathering a whole country's practices and writing the
workbook take seconds of CPU (measured with 100,000 practices: 5.8 s of ORM loading and 8.9 s
of openpyxl for the central report), which in the bot's process would hold the event loop and
the GIL, and on SQLite the writer lock, freezing every chat. The child opens its own database
connection, reads with `Database.reading()`, writes the file, and returns the few figures a
caption needs. Both `/report` (scheduler/ondemand_reports.py) and the calendar's report dates
(scheduler/reports.py `PeriodicReports`) build through one `ReportBuilder`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.periods import Period
from scheduler.reports import compute, gather, write_workbook
from storage.db import Database
from storage.repositories.officials import Scope
from storage.units import UnitDirectory


@dataclass(frozen=True)
class BuiltReport:
    """What a caption needs; the workbook itself is on disk."""

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


class ReportBuilder:
    """Builds workbooks in a child process, started on first use and shared by every report."""

    def __init__(self, database_url: str, tz: ZoneInfo, *,
                 executor: Callable[[], Executor] = spawn_executor) -> None:
        self.database_url = database_url
        self.tz = tz
        self._make_executor = executor
        self._executor: Executor | None = None

    async def build(self, scope: Scope, period: Period, path: Path,
                    generated_at: datetime) -> BuiltReport:
        if self._executor is None:
            self._executor = self._make_executor()
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, build_report_file, self.database_url, scope.level,
                scope.unit_code, period.start, period.end, self.tz.key, str(path), generated_at)
        except BrokenExecutor:  # the child died (killed, out of memory): a fresh one next time
            self.close()
            raise

    def close(self) -> None:
        """A report being built is abandoned (its request stays pending, built again later)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
