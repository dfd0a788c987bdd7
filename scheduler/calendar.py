"""The local-time arithmetic of reminders: when they fire, when they stop being useful, quiet
hours. (The default deadlines of 2026–2030 are seed data: `storage/calendar_seed.py`.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_instant(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """`hour`:00 local time on `day`, as an aware UTC instant."""
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def reminder_at(due: date, offset_days: int, hour: int, tz: ZoneInfo) -> datetime:
    """When the reminder `offset_days` before a deadline fires."""
    return local_instant(due - timedelta(days=offset_days), hour, tz)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The first instant after `day` in local time: a deadline on `day` has passed by then."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def days_left(due: date, instant: datetime, tz: ZoneInfo) -> int:
    return (due - instant.astimezone(tz).date()).days


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which the bot says nothing on its own; what falls inside waits for `end`."""

    tz: ZoneInfo
    start: time | None = None
    end: time | None = None

    def holds(self, instant: datetime) -> bool:
        if self.start is None or self.end is None:
            return False
        clock = instant.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def release(self, instant: datetime) -> datetime:
        """`instant` itself outside quiet hours, else the end of the quiet hours it falls in."""
        if not self.holds(instant):
            return instant
        assert self.end is not None
        local = instant.astimezone(self.tz)
        end = datetime.combine(local.date(), self.end, tzinfo=self.tz)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=self.tz)
        return end.astimezone(UTC)
