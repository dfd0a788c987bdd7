"""One rate budget per platform, shared by the replies to people and the outbox, replies first.

A platform counts every message a bot sends against one cap (Telegram: about 30 per second,
all chats together), whether it answers a person or is a reminder. So both paths draw from one
`RateBudget`: a sliding second of the sends made so far. A reply takes a place whenever the
second has one; the outbox (which paces itself below the cap, scheduler/ratelimit.py) takes one
only when no reply is waiting for it. A busy outbox thus never makes a person wait longer than
the cap itself does, and the two together never go over it.

It never sleeps on its own for the outbox: `outbox_wait` answers "may a notice go now?" like
the outbox's limiter, reading the time from an injected function; `for_reply` waits through an
injected `sleep`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

WINDOW_SECONDS = 1.0
YIELD_SECONDS = 0.005
"""How long the outbox holds back while a reply waits for a place."""


class RateBudget:
    def __init__(self, per_second: float, *, now: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.per_second = per_second
        """0: no cap (the budget only counts)."""
        self.now = now
        self.sleep = sleep
        self._sent: deque[float] = deque()
        self._replies_waiting = 0
        self.replies = 0
        self.notices = 0
        """Sends counted so far, by path (for logs, metrics and tests)."""

    async def for_reply(self) -> None:
        """Until a reply may go; it is counted then."""
        wait = self._take()
        if wait == 0:
            self.replies += 1
            return
        self._replies_waiting += 1
        try:
            while wait > 0:
                await self.sleep(wait)
                wait = self._take()
        finally:
            self._replies_waiting -= 1
        self.replies += 1

    def outbox_wait(self) -> float:
        """0 if a notice may go now (it is counted), else how long to wait: a reply waiting
        for a place gets it first."""
        if self._replies_waiting:
            return YIELD_SECONDS
        wait = self._take()
        if wait == 0:
            self.notices += 1
        return wait

    async def for_notice(self) -> None:
        """Until a notice may go (for a sender without a limiter of its own); counted then."""
        while (wait := self.outbox_wait()) > 0:
            await self.sleep(wait)

    def _take(self) -> float:
        """Count a send if the sliding second has room (0), else the wait until it has."""
        if self.per_second <= 0:
            return 0.0
        now = self.now()
        while self._sent and self._sent[0] <= now - WINDOW_SECONDS:
            self._sent.popleft()
        cap = max(1, int(self.per_second * WINDOW_SECONDS))
        if len(self._sent) >= cap:
            return max(self._sent[-cap] + WINDOW_SECONDS - now, 0.001)
        self._sent.append(now)
        return 0.0
