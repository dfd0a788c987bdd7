"""Pacing for the outbox: per chat, per group and overall, so Telegram has no reason to say 429.

Telegram allows about 1 message/s within a chat, 20/min within a group and 30/s overall
(TECH-NOTES A). python-telegram-bot's `AIORateLimiter` has no per-chat limit and, on one 429,
pauses every send. Here sends are spaced evenly (no bursts to catch up after a stall), a 429
pauses only the chat it came for, and the overall rate eases off for a while after any 429 (in
case the overall cap, shared with the replies to people, was the cause), then recovers.

The limiter never sleeps: it answers "may this chat send now?" and "when can it?", reading
the time from an injected monotonic function, so tests move time instead of waiting.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

WINDOW_SECONDS = 1.0  # Telegram counts messages per second
CATCH_UP_SECONDS = 0.02  # how far behind the smooth schedule a late pass may book
SLOWDOWN_FACTOR = 0.85  # the overall rate after a 429, relative to the rate before it
SLOWEST = 0.25  # never below this share of the configured overall rate
RECOVERY_PER_SECOND = 0.1  # share of the configured rate regained per second without a 429
GROUP_WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class RateLimits:
    global_per_second: float = 25.0
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    margin: float = 0.05
    """Sends are spaced this share wider than the limits allow, for clock and network jitter."""


class SharedBudget(Protocol):
    """The platform's one rate budget, which the replies to people draw from too, first
    (bot/channels/budget.py implements it; the outbox only asks)."""

    def outbox_wait(self) -> float:
        """0 if a notice may go now (it is counted), else how long to wait."""
        ...


def is_group(chat_id: str) -> bool:
    """Telegram groups and channels have negative ids (or @names)."""
    return chat_id.startswith(("-", "@"))


class ChatRateLimiter:
    def __init__(self, limits: RateLimits, now: Callable[[], float] = time.monotonic, *,
                 budget: SharedBudget | None = None) -> None:
        """`budget`: the platform's budget shared with the replies (on the same time scale as
        `now`): a send admitted here must find room there too."""
        self.limits = limits
        self.now = now
        self.budget = budget
        self._global_next = float("-inf")
        self._chat_next: dict[str, float] = {}
        self._group_sends: dict[str, deque[float]] = {}
        self._sent: deque[float] = deque()
        self._chat_sent: dict[str, float] = {}
        self._slow_share = 1.0
        self._slow_since = float("-inf")
        self.throttled = 0
        """How many 429s were reported (for logs and the benchmark)."""

    # -- questions --------------------------------------------------------------------------

    def ready_at(self, chat_id: str) -> float:
        """The earliest time (on `now`'s scale) at which this chat may get its next send."""
        at = max(self._chat_next.get(chat_id, float("-inf")), self._global_next)
        sends = self._group_sends.get(chat_id)
        if sends is not None and len(sends) >= self._group_cap():
            at = max(at, sends[0] + GROUP_WINDOW_SECONDS * (1 + self.limits.margin))
        return at

    def chat_ready_at(self, chat_id: str) -> float:
        """Like `ready_at`, leaving out the overall rate (which every chat shares)."""
        saved, self._global_next = self._global_next, float("-inf")
        try:
            return self.ready_at(chat_id)
        finally:
            self._global_next = saved

    def global_ready_at(self) -> float:
        return self._global_next

    # -- actions ----------------------------------------------------------------------------

    def try_acquire(self, chat_id: str) -> bool:
        """Take the slot for one send to this chat if it is free now."""
        return self.reserve(chat_id, within=0.0) is not None

    def reserve(self, chat_id: str, *, within: float) -> float | None:
        """Book this chat's next slot if it comes within `within` seconds; returns when it is
        (on `now`'s scale), or None (nothing booked)."""
        now = self.now()
        # A pass that runs late may book the slots it missed, so lateness does not add up;
        # `admit` still keeps the actual sends under the cap.
        behind = now - self._global_next
        at = self._global_next if behind <= CATCH_UP_SECONDS else now  # idle: start afresh
        if at > now + within or self.chat_ready_at(chat_id) > max(at, now):
            return None
        self._global_next = at + self._global_interval(now)
        self._chat_next[chat_id] = at + (1 + self.limits.margin) / self.limits.per_chat_per_second
        if is_group(chat_id):
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(at)
            while len(sends) > self._group_cap():
                sends.popleft()
        self._forget_idle(now)
        return at

    def chat_wait(self, chat_id: str) -> float:
        """How long until this chat's gap since its last actual send has passed."""
        gap = (1 + self.limits.margin / 2) / self.limits.per_chat_per_second
        last = self._chat_sent.get(chat_id)
        wait = 0.0 if last is None else last + gap - self.now()
        # Below a microsecond is a float's rounding at epoch scale (1 ulp of 1.8e9 s is
        # 0.24 µs), not a wait: a clock that ticks in microseconds would never get past it.
        return wait if wait > 1e-6 else 0.0

    def admit(self, chat_id: str) -> float:
        """Right before a request: 0 if it may go now (and it is counted), else how long to
        wait. The hard check behind the smooth schedule: however late a booked send runs, the
        actual sends stay under the overall cap per second and 1 per interval per chat."""
        now = self.now()
        window = WINDOW_SECONDS
        while self._sent and self._sent[0] <= now - window:
            self._sent.popleft()
        cap = max(1, int(self.limits.global_per_second * self._share(now)
                         * (1 - self.limits.margin)))
        waits = []
        if len(self._sent) >= cap:
            waits.append(self._sent[-cap] + window - now)
        gap = (1 + self.limits.margin / 2) / self.limits.per_chat_per_second
        last = self._chat_sent.get(chat_id)
        if last is not None and now - last < gap:
            waits.append(last + gap - now)
        if waits:
            return max(max(waits), 0.001)
        if self.budget is not None and (shared := self.budget.outbox_wait()) > 0:
            return shared  # the replies to people go first
        self._sent.append(now)
        self._chat_sent[chat_id] = now
        return 0.0

    def pause(self, chat_id: str, seconds: float) -> None:
        """Telegram said 429 for this chat: hold it for `seconds`, and ease the overall rate."""
        now = self.now()
        self.throttled += 1
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, now), now + seconds)
        self._slow_share = max(SLOWEST, self._share(now) * SLOWDOWN_FACTOR)
        self._slow_since = now

    # -- internals --------------------------------------------------------------------------

    def _share(self, now: float) -> float:
        return min(1.0, self._slow_share + (now - self._slow_since) * RECOVERY_PER_SECOND)

    def _global_interval(self, now: float) -> float:
        rate = self.limits.global_per_second * self._share(now)
        return (1 + self.limits.margin) / rate

    def _group_cap(self) -> int:
        return max(1, int(self.limits.group_per_minute))

    def _forget_idle(self, now: float) -> None:
        if len(self._chat_next) > 20_000:
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        if len(self._chat_sent) > 20_000:
            horizon = now - 2 / self.limits.per_chat_per_second
            self._chat_sent = {c: t for c, t in self._chat_sent.items() if t > horizon}
        if len(self._group_sends) > 2_000:
            horizon = now - GROUP_WINDOW_SECONDS * (1 + self.limits.margin)
            self._group_sends = {c: s for c, s in self._group_sends.items() if s[-1] > horizon}
