"""Per-account message limits on every channel, before any work is done for a message.

A person (or a script) sending more than `limit` messages in a minute gets one friendly
slow-down answer, and their further messages in that minute are set aside unanswered: nothing
they already entered is touched, and other people are served as usual. Kept in the memory of
the process, like the web chat's limits (bot/web/ratelimit.py): a courtesy against floods, not
an accounting.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from enum import Enum

WINDOW = timedelta(minutes=1)


class Verdict(Enum):
    SERVE = "serve"
    SLOW_DOWN = "slow_down"
    """Over the limit for the first time in this window: tell them, once."""
    DROP = "drop"


class AccountFlood:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._hits: dict[str, deque[datetime]] = {}
        self._warned: dict[str, datetime] = {}
        self._swept_at: datetime | None = None

    def check(self, key: str, now: datetime) -> Verdict:
        since = now - WINDOW
        if self._swept_at is None or now - self._swept_at >= WINDOW:
            self._sweep(since)
            self._swept_at = now
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= since:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return Verdict.SERVE
        warned = self._warned.get(key)
        if warned is not None and warned > since:
            return Verdict.DROP
        self._warned[key] = now
        return Verdict.SLOW_DOWN

    def _sweep(self, since: datetime) -> None:
        """Forget accounts quiet for a whole window: memory follows the active ones."""
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= since]:
            del self._hits[key]
        for key in [k for k, at in self._warned.items() if at <= since]:
            del self._warned[key]
