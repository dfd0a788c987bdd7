"""Periods of a report and the name of a jurisdiction, as officials type and read them.

Both `/report` (handlers/reports.py) and the reports the calendar sends (scheduler/reports.py)
use them, so they live with the flows, below the scheduler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.i18n import Translator
from storage.models import Level
from storage.repositories.officials import Scope
from storage.units import UnitDirectory


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    """Both inclusive."""

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants: local midnight of `start` to the midnight after `end`."""
        return (datetime.combine(self.start, time(0), tzinfo=tz).astimezone(UTC),
                datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC))

    @property
    def slug(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def label(self) -> str:
        return f"{self.start:%d/%m/%Y} - {self.end:%d/%m/%Y}"


def months_before(day: date, months: int) -> date:
    """The day after the same date `months` earlier: the first day of a period ending on `day`."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d) + timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("unreachable")


_RANGE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s*-\s*(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_period(text: str, today: date) -> Period | None:
    """`/report` arguments: nothing (this year so far), `2026`, `2026-h1`, `2026-h2`, `6m`
    (the last 6 months), `12m`, or `dd/mm/yyyy-dd/mm/yyyy`. None if not understood."""
    word = text.strip().lower().replace(" ", "")
    if word in ("", "nam", "year", "ytd"):
        return Period(date(today.year, 1, 1), today)
    if word in ("6m", "6t", "6thang"):
        return Period(months_before(today, 6), today)
    if word in ("12m", "12t", "12thang"):
        return Period(months_before(today, 12), today)
    if re.fullmatch(r"\d{4}", word):
        return Period(date(int(word), 1, 1), date(int(word), 12, 31))
    if match := re.fullmatch(r"(\d{4})-?h([12])", word):
        year, half = int(match[1]), int(match[2])
        return (Period(date(year, 1, 1), date(year, 6, 30)) if half == 1
                else Period(date(year, 7, 1), date(year, 12, 31)))
    if match := _RANGE.match(text.strip()):
        try:
            start = date(int(match[3]), int(match[2]), int(match[1]))
            end = date(int(match[6]), int(match[5]), int(match[4]))
        except ValueError:
            return None
        return Period(start, end) if start <= end else None
    return None


def jurisdiction_label(t: Translator, scope: Scope, units: UnitDirectory) -> str:
    if scope.level == Level.CENTRAL or not scope.unit_code:
        return t("report.nationwide")
    unit = units.get(scope.unit_code)
    return unit.label if unit else scope.unit_code
