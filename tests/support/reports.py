"""A unit's XLSX report built as the background worker builds it, read back sheet by sheet."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, tzinfo
from pathlib import Path

from openpyxl import load_workbook

from handlers.periods import Period
from scheduler.report_process import ReportBuilder
from storage.db import Database
from storage.repositories.officials import Scope


async def report_sheets(db: Database, tz: tzinfo, scope: Scope, period: Period, path: Path,
                        at: datetime) -> dict[str, list[tuple]]:
    """Each sheet's rows (the header first), by the sheet's title."""
    builder = ReportBuilder(db.url, tz, executor=lambda: ThreadPoolExecutor(1))
    try:
        await builder.build(scope, period, path, at)
    finally:
        builder.close()
    return {sheet.title: list(sheet.iter_rows(values_only=True))
            for sheet in load_workbook(path)}
