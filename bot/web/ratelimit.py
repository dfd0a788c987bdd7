"""Per-key sliding-window rate limits, for the web chat (per session and per address).

Kept in the memory of one process: a limit is a courtesy against floods, not an accounting, so
losing it on restart is fine. Keys whose window has emptied are dropped, so memory follows the
number of active visitors, not the number ever seen.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(self, limit: int, window_seconds: float = 60.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window_seconds
        self._now = now
        self._hits: dict[str, deque[float]] = {}
        self._swept_at = now()

    def fits(self, key: str, cost: int = 1) -> bool:
        """Whether `allow` would answer True now; records nothing."""
        self._forget(key, self._now() - self.window)
        return len(self._hits.get(key, ())) + cost <= self.limit

    def allow(self, key: str, cost: int = 1) -> bool:
        """Record `cost` hits for `key` if they fit in the window; if not, record nothing and
        answer False."""
        now = self._now()
        if now - self._swept_at >= self.window:
            self._swept_at = now
            for other in list(self._hits):
                self._forget(other, now - self.window)
        self._forget(key, now - self.window)
        hits = self._hits.setdefault(key, deque())
        if len(hits) + cost > self.limit:
            return False
        hits.extend([now] * cost)
        return True

    def _forget(self, key: str, cutoff: float) -> None:
        hits = self._hits.get(key)
        if hits is None:
            return
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if not hits:
            del self._hits[key]
