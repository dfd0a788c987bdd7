"""What happens to every channel's updates, written once for all of them (the host's part).

- **One chat in order, many chats at once**: a chat's updates are handled one at a time, in
  arrival order (`ordered`), on every channel alike; held answers and answers that come later
  (a joined text, `answer_later`) take their turn in the same order.
- **One burst rule**: photos arriving within `burst` of each other in one chat get one answer,
  the last one's (it counts them all: "3/5 photos"). The photos of one update (a Zalo OA
  message, a web chat upload) arrive together, so they get one answer whatever `burst` is;
  each new photo restarts the wait; anything else from the chat sends the held answer first.
  The wait runs on the injected clock: a test moves time instead of sleeping.
- **The processed signal**: an update is marked once handled (its answer sent or held), and
  tests wait on that mark (`wait_processed`) instead of sleeping.
- Replies go out through the channel's `send`, whose platform requests the host's retry
  policy (`retry`, bot/channels/retry.py) wraps, each drawing on the platform's one rate
  budget, shared with the outbox, replies first (`budgets`, bot/channels/budget.py).

Each channel gets a `Lane`: this, bound to its name, its engine and its way of sending.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from bot.channels.budget import RateBudget
from bot.channels.ordering import ChatLocks
from bot.channels.processed import ProcessedSignal
from bot.channels.retry import ReplyRetry
from handlers.clock import Clock, Timer
from handlers.engine import Engine
from handlers.events import Event, PhotoEvent, UnsupportedEvent
from handlers.replies import Reply

log = logging.getLogger(__name__)

Send = Callable[[str, list[Reply]], Awaitable[None]]
DEFAULT_BURST = timedelta(seconds=1)


@dataclass
class _Held:
    replies: list[Reply]
    timer: Timer
    lane: Lane


class Inbound:
    """The ordering locks, the held burst answers and the processed marks of every channel."""

    def __init__(self, clock: Clock, *, burst: timedelta = DEFAULT_BURST,
                 retry: ReplyRetry | None = None,
                 budgets: dict[str, RateBudget] | None = None) -> None:
        self.clock = clock
        self.burst = burst
        self.retry = retry or ReplyRetry()
        """How every channel's reply requests are retried (bot/channels/retry.py)."""
        self.budgets = budgets or {}
        """Each capped platform's one rate budget, by channel name, which its replies and its
        outbox sender both draw from, replies first (bot/channels/budget.py)."""
        self.locks = ChatLocks()
        self.processed = ProcessedSignal()
        self._held: dict[tuple[str, str], _Held] = {}

    def lane(self, channel: str, engine: Engine, send: Send) -> Lane:
        return Lane(self, channel, engine, send)

    @property
    def holding(self) -> bool:
        """Some chat's burst answer waits for the burst to end."""
        return bool(self._held)


class Lane:
    """One channel's way through the host: its chats' order, bursts and processed marks."""

    def __init__(self, inbound: Inbound, channel: str, engine: Engine, send: Send) -> None:
        self.inbound = inbound
        self.channel = channel
        self.engine = engine
        self.send = send
        engine.answer_later[channel] = self.answer_later

    # -- order and the processed signal ------------------------------------------------------

    @asynccontextmanager
    async def ordered(self, chat: str) -> AsyncIterator[None]:
        """Hold the chat's turn: its other updates wait, other chats go on."""
        async with self.inbound.locks.hold((self.channel, chat)):
            yield

    async def process(self, chat: str, key: str, work: Callable[[], Awaitable[None]]) -> None:
        """One update, in the chat's order: `work` (which answers it), then the processed
        mark, whatever happened; a failure is logged with the update's key."""
        try:
            async with self.ordered(chat):
                await work()
        except Exception:
            log.exception("update failed", extra={"channel": self.channel, "update_id": key})
        finally:
            await self.mark_processed(key)

    async def mark_processed(self, key: str) -> None:
        await self.inbound.processed.mark(f"{self.channel}:{key}")

    async def wait_processed(self, key: str, timeout: float = 10.0) -> None:
        """Until the update has been handled (its answer sent, or held for a burst)."""
        await self.inbound.processed.wait(f"{self.channel}:{key}", timeout)

    # -- answers -----------------------------------------------------------------------------

    async def compose(self, events: list[Event], *, keep_answer: bool = False) -> list[Reply]:
        """The one answer to events that arrived together: what was said about files that
        were refused, then the last answer given (one per burst, not one per photo)."""
        warnings: list[Reply] = []
        last: list[Reply] = []
        for event in events:
            replies = await self.engine.handle(event, keep_answer=keep_answer)
            if isinstance(event, UnsupportedEvent):
                warnings += replies
            elif replies:
                last = replies
        return warnings + last

    async def answer(self, chat: str, events: list[Event], *,
                     alongside: Callable[[], Awaitable[None]] | None = None) -> None:
        """Answer events that arrived together, within the chat's turn (`ordered`): a photo's
        answer is held for the burst; anything else sends a held answer first, then its own
        (with `alongside`, e.g. a button's acknowledgement, at the same time)."""
        replies = await self.compose(events)
        if not replies:  # a redelivered update: it was answered the first time
            return
        if events and isinstance(events[-1], PhotoEvent) and self.inbound.burst > timedelta(0):
            self._hold(chat, replies)
            return
        await self.flush(chat)
        if alongside is None:
            await self.send(chat, replies)
            return
        await asyncio.gather(alongside(), self.send(chat, replies))  # one round trip, not two

    async def answer_later(self, chat: str, job: Callable[[], Awaitable[list[Reply]]]) -> None:
        """An answer the engine gives on its own (a held text, handlers/text_join.py), in the
        chat's order."""
        async with self.ordered(chat):
            replies = await job()
            if not replies:
                return
            await self.flush(chat)
            try:
                await self.send(chat, replies)
            except Exception:
                log.exception("held text's answer not sent", extra={"channel": self.channel})

    # -- the burst ---------------------------------------------------------------------------

    def _hold(self, chat: str, replies: list[Reply]) -> None:
        key = (self.channel, chat)
        if (earlier := self.inbound._held.pop(key, None)) is not None:
            earlier.timer.cancel()
        due = self.inbound.clock.now() + self.inbound.burst
        timer = self.inbound.clock.call_at(due, lambda: self._burst_over(chat))
        self.inbound._held[key] = _Held(replies, timer, self)

    async def _burst_over(self, chat: str) -> None:
        async with self.ordered(chat):  # after any update of the chat being handled
            await self.flush(chat)

    async def flush(self, chat: str) -> None:
        """Send the chat's held burst answer now (call within the chat's turn)."""
        held = self.inbound._held.pop((self.channel, chat), None)
        if held is None:
            return
        held.timer.cancel()
        try:
            await self.send(chat, held.replies)
        except Exception:
            log.exception("burst answer not sent", extra={"channel": self.channel})

    async def flush_all(self) -> None:
        """Send every held answer of this channel (before it stops)."""
        for _, chat in [k for k in self.inbound._held if k[0] == self.channel]:
            await self._burst_over(chat)

