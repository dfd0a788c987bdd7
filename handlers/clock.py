"""The one place flows and jobs read the time from, so tests can move it instead of sleeping."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

log = logging.getLogger(__name__)

Alarm = Callable[[], Awaitable[None]]


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    def call_at(self, when: datetime, alarm: Alarm) -> Timer:
        """Run `alarm` once the clock reads `when` (a test's clock runs it when moved there)."""
        ...


class SystemClock:
    def __init__(self) -> None:
        self._running: set[asyncio.Task[None]] = set()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def call_at(self, when: datetime, alarm: Alarm) -> Timer:
        delay = max(0.0, (when - self.now()).total_seconds())
        return asyncio.get_running_loop().call_later(delay, self._run, alarm)

    def _run(self, alarm: Alarm) -> None:
        task = asyncio.ensure_future(_logged(alarm))
        self._running.add(task)
        task.add_done_callback(self._running.discard)


async def _logged(alarm: Alarm) -> None:
    try:
        await alarm()
    except Exception:
        log.exception("timer failed")


class _ManualTimer:
    def __init__(self, when: datetime, alarm: Alarm) -> None:
        self.when, self.alarm, self.cancelled = when, alarm, False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A clock that only moves when told to; its timers run when `pass_time` moves it past
    them, awaited one by one, so a test sees everything they did."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
        self._timers: list[_ManualTimer] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move the clock; timers wait for `pass_time`."""
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def call_at(self, when: datetime, alarm: Alarm) -> Timer:
        timer = _ManualTimer(when, alarm)
        self._timers.append(timer)
        return timer

    async def pass_time(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move the clock and run every timer that is due, in the order of their times."""
        self.advance(delta, **kwargs)
        while due := sorted((t for t in self._timers if t.when <= self._now
                             and not t.cancelled), key=lambda t: t.when):
            timer = due[0]
            self._timers.remove(timer)
            await timer.alarm()
        self._timers = [t for t in self._timers if not t.cancelled]
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant


def to_db(instant: datetime) -> datetime:
    """The database keeps aware UTC datetimes (SQLModel's UTCDateTime refuses naive ones)."""
    return instant.astimezone(UTC)


def from_db(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
