"""The one sender for everything the bot says on its own: notifications, reminders, reports.

Rows wait in the outbox table (the database is the truth, not this process). The worker
fetches due rows and books each a pacing slot (`scheduler/ratelimit.py`: per chat, per group,
overall; a 429 holds back only its chat). Then, for each row:

1. claims it: `sending`, one attempt more, committed *before* the platform is called (claims
   go in one transaction per pass, for the slots of the next `claim_ahead`, 50 ms);
2. sends it when its slot comes, one reply of its payload at a time (progress is saved between
   replies, so a retry never repeats a reply the person already has);
3. records the outcome: `sent`; or pending again after Telegram's `retry_after` (that chat
   only), after a backoff for network errors and 5xx, at once on another account when this
   one blocked the bot (the account is marked inactive); or `failed` for good.

Exactly once, and the one trade-off: a row found `sending` at start-up belonged to a process
that stopped mid-send. Telegram has no idempotent send, so whether the person got it is
unknowable; such rows become `unconfirmed` and are not sent again (at most once: a possible
loss, visible in the table, instead of a possible duplicate). `OUTBOX_RESEND_UNCONFIRMED=true`
chooses the other side. What a crash can leave `sending` is what was in flight plus what was
claimed for the next 50 ms (about one message at Telegram's 25-30/s). A timeout, by contrast,
is retried: Telegram answers in milliseconds, so a request that got no answer in
`OUTBOX_SEND_TIMEOUT_SECONDS` almost surely never arrived. A clean stop waits for sends in
flight, so only a crash leaves rows `sending`. Run one worker per database (TECH-NOTES D: one
scheduler process).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from handlers.clock import Clock, from_db
from handlers.replies import from_payload
from scheduler.calendar import QuietHours
from scheduler.delivery import ChannelSender, DeliveryError, Failure
from scheduler.ratelimit import ChatRateLimiter
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus
from storage.repositories import delivery, linking, zalo_oa

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 15  # network errors and 5xx: about 2.5 hours of retries with the backoff below
MAX_BACKOFF_SECONDS = 900
STOP_GRACE_SECONDS = 30.0

Sleep = Callable[[float], Awaitable[Any]]


@dataclass
class _Job:
    """A due row on its way out, with the account it goes through."""

    id: int
    person_id: int
    account_id: int
    channel: str
    chat_id: str
    payload: list[dict[str, Any]]
    parts_sent: int
    quiet: bool = False
    expires_at: datetime | None = None
    slot: float | None = None
    """When pacing lets it go (on the limiter's time scale); None: at once."""

    @property
    def chat(self) -> tuple[str, str]:
        return self.channel, self.chat_id


@dataclass
class _Outcome:
    job: _Job
    parts_sent: int
    error: DeliveryError | None = None


@dataclass
class _Lane:
    """One channel's queue: chats ready to send, chats waiting for their pace."""

    limiter: ChatRateLimiter | None
    wire: asyncio.Semaphore
    """Requests on the wire at once (the sender's connections), so none queues unseen."""
    jobs: dict[str, deque[_Job]] = field(default_factory=dict)
    ready: deque[str] = field(default_factory=deque)
    waiting: list[tuple[float, int, str]] = field(default_factory=list)
    busy: set[str] = field(default_factory=set)
    """Chats with a send in flight: their next message waits for it (in order)."""


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        senders: dict[str, ChannelSender],
        clock: Clock,
        *,
        limiters: dict[str, ChatRateLimiter] | None = None,
        quiet: QuietHours | None = None,
        sleep: Sleep = asyncio.sleep,
        max_in_flight: int = 64,
        batch_size: int = 500,
        idle_poll_seconds: float = 5.0,
        resend_unconfirmed: bool = False,
        claim_ahead_seconds: float = 0.05,
        max_concurrent_requests: int = 8,
        epoch: int | None = None,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock
        self.quiet = quiet
        self.sleep = sleep
        self.max_in_flight = max_in_flight
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.resend_unconfirmed = resend_unconfirmed
        self.claim_ahead = claim_ahead_seconds
        self.epoch = epoch
        """The leader's term this worker sends for (storage/leader.py); None: the only sender
        there will ever be (tests, tools). Set before `start`."""
        self._lanes = {channel: _Lane((limiters or {}).get(channel),
                                      asyncio.Semaphore(max_concurrent_requests))
                       for channel in senders}
        self._queued: set[int] = set()
        self._in_flight: set[asyncio.Task] = set()
        self._outcomes: list[_Outcome] = []
        self._to_claim: list[_Job] = []
        self._committer: asyncio.Task | None = None
        self._cycle_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._dirty = True
        self._more_due = True
        self._last_refill = float("-inf")
        self._next_due: datetime | None = None
        self._seq = itertools.count()
        self._recovered = False
        self._stopping = False
        self._task: asyncio.Task | None = None
        self.sent = 0
        self._recorded = 0

    # -- life cycle -------------------------------------------------------------------------

    def wake(self) -> None:
        """New rows may be due (called after a transaction queued notices)."""
        self._dirty = True
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Stop fetching, let sends in flight finish and record them, then return.

        The loop is asked to stop between passes rather than cancelled, so a claim is never
        committed without its sends being started."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(self._task, STOP_GRACE_SECONDS)
            except TimeoutError:
                log.error("outbox loop did not stop in time")
            self._task = None
        self._to_claim.clear()  # booked but not claimed: still pending, sent after the restart
        if self._committer is not None:
            await self._committer
        if self._in_flight:
            done, pending = await asyncio.wait(self._in_flight, timeout=STOP_GRACE_SECONDS)
            for task in pending:  # left `sending`: unconfirmed at the next start
                task.cancel()
        async with self._cycle_lock:
            await self._commit([])

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def recover(self) -> int:
        """Settle rows a stopped process left `sending` (see the module docstring)."""
        self._recovered = True
        note = _interrupted(self.resend_unconfirmed)
        async with self.db.session() as session:
            count = await delivery.recover_interrupted(
                session, resend=self.resend_unconfirmed, note=note, epoch=self.epoch)
            await session.commit()
        if count:
            log.warning("outbox rows interrupted mid-send", extra={
                "count": count, "resent": self.resend_unconfirmed})
        return count

    async def drain(self) -> int:
        """Deliver every message due now and wait for each outcome; returns how many were
        delivered. Waits for pacing through the injected `sleep`; messages put off to later
        (retry_after, backoff, quiet hours) are left for a later call."""
        if not self._recovered:
            await self.recover()
        before = self.sent
        self._dirty = True
        while True:
            async with self._cycle_lock:
                pause = await self._cycle()
            if self._committer is not None and not self._committer.done():
                await self._committer  # claims land before time moves on (in tests, at once)
            elif pause is not None:  # sends booked meanwhile go out on their own
                await self.sleep(max(pause, 0.001))
            elif self._in_flight:
                await asyncio.wait(set(self._in_flight), return_when=asyncio.FIRST_COMPLETED)
            elif self._outcomes or self._dirty:
                continue
            elif self._more_due:
                self._dirty = True
            else:
                return self.sent - before

    async def _run(self) -> None:
        if not self._recovered:
            await self.recover()
        while not self._stopping:
            try:
                async with self._cycle_lock:
                    pause = await self._cycle()
            except Exception:
                log.exception("outbox pass failed")
                pause = None
            timeout = self.idle_poll_seconds if pause is None else pause
            if self._next_due is not None:
                until_due = (self._next_due - self.clock.now()).total_seconds()
                timeout = min(timeout, max(until_due, 0.05))
            self._wake.clear()
            if self._stopping:
                return
            if self._dirty and not self._in_flight_full():
                continue  # (outcomes are the committer's: it was started by the pass)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(timeout, 0.001))

    # -- one pass ---------------------------------------------------------------------------

    async def _cycle(self) -> float | None:
        """Fetch due rows and book the pacing slots that come within `claim_ahead`; the
        committer then claims the booked rows and records outcomes in one transaction, and
        starts the sends. Returns how long until pacing allows the next booking (None:
        nothing queued). Booking never waits for the database: a slow commit only makes the
        next one bigger."""
        if self._should_refill():
            await self._refill()
        taken, _ = self._dispatch()
        if taken or self._outcomes:
            self._to_claim.extend(taken)
            self._commit_soon()
        return self._pause()

    def _commit_soon(self) -> None:
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_loop(), name="outbox-claims")

    async def _commit_loop(self) -> None:
        while self._to_claim or self._outcomes:
            jobs, self._to_claim = self._to_claim, []
            try:
                await self._commit(jobs)
            except Exception:
                log.exception("outbox claim failed")
                for job in jobs:  # still pending in the table: fetched again
                    self._queued.discard(job.id)
                    self._release_chat(job)
                self._dirty = True
                return

    def _pause(self) -> float | None:
        """How long until pacing lets the next queued job be booked (None: none queued)."""
        if self._in_flight_full():
            return None
        pauses = []
        for lane in self._lanes.values():
            limiter = lane.limiter
            if limiter is None:
                continue
            # wake half a window early, so a pass that runs late still books on time
            if lane.ready:
                pauses.append(limiter.global_ready_at() - self.claim_ahead / 2 - limiter.now())
            elif lane.waiting:
                pauses.append(lane.waiting[0][0] - self.claim_ahead / 2 - limiter.now())
        return max(min(pauses), 0.0) if pauses else None

    def _should_refill(self) -> bool:
        if self._dirty:
            return True
        low = len(self._queued) < self.batch_size // 2
        stale = time.monotonic() - self._last_refill > self.idle_poll_seconds
        return (low and self._more_due) or stale

    async def _refill(self) -> None:
        self._dirty = False
        self._last_refill = time.monotonic()
        now = self.clock.now()
        room = self.batch_size - len(self._queued)
        if room <= 0:
            return
        async with self.db.session() as session:
            if self.epoch is not None:  # what an earlier term left claimed (storage/leader.py)
                await delivery.recover_interrupted(session, resend=self.resend_unconfirmed,
                                                   note=_interrupted(self.resend_unconfirmed),
                                                   epoch=self.epoch)
            await _release_awaiting(session, now)  # issue 7: the person wrote again
            rows = await delivery.due(session, now=now, limit=room, exclude=self._queued)
            self._more_due = len(rows) == room
            accounts = await delivery.active_accounts(
                session, person_ids=[r.person_id for r in rows], channels=self.senders)
            routes = await _Routes.load(session, rows)
            expired, nowhere, quiet = [], [], []
            for row in rows:
                if row.expires_at is not None and from_db(row.expires_at) <= now:
                    expired.append(row.id)
                elif row.quiet_hours and self.quiet is not None and self.quiet.holds(now):
                    quiet.append(row.id)
                elif (account := routes.pick(row, accounts)) is None:
                    nowhere.append(row.id)
                else:
                    self._enqueue(row, account)
            await delivery.update_messages(session, expired, status=OutboxStatus.SKIPPED,
                                           last_error="expired before it could be sent")
            await delivery.update_messages(session, nowhere, status=OutboxStatus.FAILED,
                                           last_error="no active account on a connected channel")
            if quiet:
                assert self.quiet is not None
                await delivery.update_messages(session, quiet, not_before=self.quiet.release(now))
            self._next_due = None if self._more_due else await delivery.next_due_at(session)
            if self._next_due is not None:
                self._next_due = from_db(self._next_due)
            await session.commit()
        if nowhere:
            log.warning("outbox: nowhere to deliver", extra={"outbox_ids": nowhere[:20]})

    def _enqueue(self, row: OutboxMessage, account) -> None:  # noqa: ANN001
        job = _Job(row.id, row.person_id, account.id, account.channel, account.chat_id,
                   row.payload, row.parts_sent, row.quiet_hours,
                   from_db(row.expires_at) if row.expires_at else None)
        lane = self._lanes[job.channel]
        chat_jobs = lane.jobs.get(job.chat_id)
        if chat_jobs is None:
            lane.jobs[job.chat_id] = deque([job])
            lane.ready.append(job.chat_id)
        else:
            chat_jobs.append(job)
        self._queued.add(job.id)

    def _dispatch(self) -> tuple[list[_Job], float | None]:
        if self._in_flight_full():
            return [], None  # a send finishing wakes the loop
        taken: list[_Job] = []
        pauses: list[float] = []
        for lane in self._lanes.values():
            pause = self._take(lane, taken)
            if pause is not None:
                pauses.append(pause)
        return taken, (min(pauses) if pauses else None)

    def _take(self, lane: _Lane, taken: list[_Job]) -> float | None:
        """Move jobs whose pacing slot comes within `claim_ahead` from `lane` into `taken`
        (booking the slot); returns the wait until the next booking is possible."""
        limiter, ahead = lane.limiter, self.claim_ahead
        now = limiter.now() if limiter else 0.0
        while lane.waiting and lane.waiting[0][0] <= now + ahead:
            lane.ready.append(heapq.heappop(lane.waiting)[2])
        while lane.ready and not self._in_flight_full(len(taken)):
            chat_id = lane.ready[0]
            slot = None
            if limiter is not None:
                slot = limiter.reserve(chat_id, within=ahead)
                if slot is None:
                    if limiter.chat_ready_at(chat_id) <= max(now, limiter.global_ready_at()):
                        # the overall pace: everyone waits (then books a batch of slots)
                        return max(limiter.global_ready_at() - now, 0.0)
                    lane.ready.popleft()
                    heapq.heappush(lane.waiting,
                                   (limiter.ready_at(chat_id), next(self._seq), chat_id))
                    continue
            lane.ready.popleft()
            jobs = lane.jobs[chat_id]
            job = jobs.popleft()
            job.slot = slot
            stale = self._stale(job)
            if stale:  # waited into quiet hours or past its use: the refill decides
                self._queued.discard(job.id)
                self._dirty = True
            else:
                taken.append(job)
            if jobs and not stale:
                # booked again only when this send is over, so one chat's messages never
                # overtake each other, whatever the network does with two requests at once
                lane.busy.add(chat_id)
            elif jobs:
                self._requeue(lane, chat_id)
            else:
                del lane.jobs[chat_id]
        if lane.ready and limiter is not None:
            return max(limiter.global_ready_at() - now, 0.0)
        if lane.waiting:
            return max(lane.waiting[0][0] - now, 0.0)
        return None

    def _release_chat(self, job: _Job) -> bool:
        """The chat's send is over: its next message may be booked (True if it has one)."""
        lane = self._lanes[job.channel]
        if job.chat_id in lane.busy:
            lane.busy.discard(job.chat_id)
            if lane.jobs.get(job.chat_id):
                self._requeue(lane, job.chat_id)
                return True
        return False

    def _requeue(self, lane: _Lane, chat_id: str) -> None:
        if lane.limiter is None:
            lane.ready.append(chat_id)
        else:
            heapq.heappush(lane.waiting,
                           (lane.limiter.ready_at(chat_id), next(self._seq), chat_id))

    def _stale(self, job: _Job) -> bool:
        now = self.clock.now()
        return ((job.expires_at is not None and job.expires_at <= now)
                or (job.quiet and self.quiet is not None and self.quiet.holds(now)))

    def _in_flight_full(self, extra: int = 0) -> bool:
        return len(self._in_flight) + len(self._to_claim) + extra >= self.max_in_flight

    async def _commit(self, jobs: list[_Job]) -> None:
        """One transaction: the outcomes so far, and the claims of the booked jobs; then
        their sends start (each waits for its slot)."""
        async with self.db.session() as session:
            await self._record_outcomes(session)
            claimed = await delivery.claim(
                session, ids=[j.id for j in jobs],
                assignments={j.id: (j.account_id, j.channel) for j in jobs}, epoch=self.epoch)
            await session.commit()
        self.sent += self._recorded
        for job in jobs:
            self._queued.discard(job.id)
            if job.id not in claimed:  # changed meanwhile (skipped, sent by an older pass)
                self._release_chat(job)
                continue
            task = asyncio.create_task(self._send(job), name=f"outbox-{job.id}")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    # -- one message ------------------------------------------------------------------------

    async def _send(self, job: _Job) -> None:
        sender = self.senders[job.channel]
        replies = from_payload(job.payload)
        parts = job.parts_sent
        outcome = _Outcome(job, parts)
        try:
            await self._wait_for_slot(job)
            for index in range(job.parts_sent, len(replies)):
                if index > job.parts_sent:
                    await self._next_slot(job)
                async with self._lanes[job.channel].wire:
                    await self._admitted(job)
                    # last thing before the request: only what is really leaving is marked
                    if index == job.parts_sent and not await self._on_wire(job):
                        self._release_chat(job)  # a newer term took it back: not ours
                        return
                    await sender.deliver(job.chat_id, [replies[index]])
                parts = outcome.parts_sent = index + 1
                if parts < len(replies):
                    async with self.db.session() as session:
                        await delivery.save_progress(session, message_id=job.id,
                                                     parts_sent=parts)
                        await session.commit()
        except DeliveryError as error:
            outcome.error = error
            limiter = self._lanes[job.channel].limiter
            if error.failure is Failure.RETRY_AFTER and limiter is not None:
                limiter.pause(job.chat_id, error.retry_after or 1.0)
        except Exception as error:  # a bug or a missing file: do not retry blindly
            log.exception("outbox send crashed", extra={"outbox_id": job.id})
            outcome.error = DeliveryError(Failure.PERMANENT, repr(error)[:300])
        self._outcomes.append(outcome)
        next_in_chat = self._release_chat(job)
        if (outcome.error is not None or next_in_chat or len(self._in_flight) <= 1
                or self._in_flight_full()):
            self._wake.set()  # otherwise the next paced pass records it

    async def _on_wire(self, job: _Job) -> bool:
        """Commit that the request is about to leave (False: no longer ours to send). After a
        crash, a claimed row without this mark is sent again; one with it is not."""
        async with self.db.session() as session:
            ours = await delivery.mark_on_wire(session, message_id=job.id, epoch=self.epoch,
                                               now=self.clock.now())
            await session.commit()
        if not ours:
            log.warning("outbox: a newer leader took this message back; not sent",
                        extra={"outbox_id": job.id, "epoch": self.epoch})
        return ours

    async def _wait_for_slot(self, job: _Job) -> None:
        """Until the booked slot (and this chat's gap since its last actual send)."""
        limiter = self._lanes[job.channel].limiter
        if limiter is None:
            return
        if job.slot is not None and (delay := job.slot - limiter.now()) > 0:
            await self.sleep(delay)
        while (delay := limiter.chat_wait(job.chat_id)) > 0:
            await self.sleep(delay)

    async def _admitted(self, job: _Job) -> None:
        """With a connection in hand, until the limiter counts the request in: admitted means
        on the wire now, so the platform sees the sends as spaced as they were admitted."""
        limiter = self._lanes[job.channel].limiter
        while limiter is not None and (delay := limiter.admit(job.chat_id)) > 0:
            await self.sleep(delay)

    async def _next_slot(self, job: _Job) -> None:
        limiter = self._lanes[job.channel].limiter
        while limiter is not None and not limiter.try_acquire(job.chat_id):
            await self.sleep(max(limiter.ready_at(job.chat_id) - limiter.now(), 0.001))
        job.slot = None

    # -- outcomes ---------------------------------------------------------------------------

    async def _record_outcomes(self, session) -> None:  # noqa: ANN001
        """Record the outcomes so far in `session` (committed by the caller)."""
        self._recorded = 0
        if not self._outcomes:
            return
        outcomes, self._outcomes = self._outcomes, []
        now = self.clock.now()
        delivered = [(o.job.id, o.parts_sent) for o in outcomes if o.error is None]
        await delivery.record_sent(session, sent=delivered, now=now, epoch=self.epoch)
        for outcome in outcomes:
            if outcome.error is not None:
                await self._record_failure(session, outcome, now)
        self._recorded = len(delivered)
        if any(o.error is not None for o in outcomes):
            self._dirty = True  # a blocked account's message may go elsewhere at once

    async def _record_failure(self, session, outcome: _Outcome, now: datetime) -> None:  # noqa: ANN001
        job, error = outcome.job, outcome.error
        assert error is not None
        message = await session.get(OutboxMessage, job.id)
        values: dict[str, Any] = {"last_error": str(error)[:500], "parts_sent": outcome.parts_sent}
        if error.failure is Failure.RETRY_AFTER:
            wait = error.retry_after or 1.0
            values |= {"status": OutboxStatus.PENDING, "attempts": message.attempts - 1,
                       "not_before": now + timedelta(seconds=wait)}
        elif error.failure is Failure.BLOCKED:
            await delivery.deactivate_account(session, account_id=job.account_id)
            values |= {"status": OutboxStatus.PENDING, "not_before": now, "parts_sent": 0}
        elif error.failure is Failure.OUTSIDE_WINDOW:  # issue 7: Zalo OA's 7-day window
            values |= await _outside_window(session, job, error, now, self.senders)
        elif error.failure is Failure.PERMANENT or message.attempts >= MAX_ATTEMPTS:
            if await _fall_back(session, job, error, now, self.senders):
                values |= {"status": OutboxStatus.PENDING, "not_before": now, "parts_sent": 0,
                           "attempts": 0}
            else:
                values |= {"status": OutboxStatus.FAILED}
        else:
            wait = min(2 ** message.attempts, MAX_BACKOFF_SECONDS)
            values |= {"status": OutboxStatus.PENDING, "not_before": now + timedelta(seconds=wait)}
        await delivery.update_message(session, job.id, claimed_in=self.epoch, **values)
        log.warning("outbox delivery failed", extra={
            "outbox_id": job.id, "failure": str(error.failure), "detail": error.detail[:200],
            "attempts": message.attempts, "status": str(values["status"])})


def _interrupted(resent: bool) -> str:
    return ("interrupted while sending; resent" if resent
            else "interrupted while sending; maybe delivered, not resent")


# -- One person across channels (issue 6): the channel the person chose, and a fallback --------


@dataclass
class _Routes:
    """Where each due message goes: an account on the person's chosen channel (/notify) if
    they have one, else the one used last; never one the message already failed through."""

    preferred: dict[int, str | None]
    failed: dict[int, set[int]]

    @classmethod
    async def load(cls, session, rows) -> _Routes:  # noqa: ANN001
        preferred = await linking.notify_preferences(
            session, person_ids=[r.person_id for r in rows])
        failed = await linking.failed_accounts(session, message_ids=[r.id for r in rows])
        return cls(preferred, failed)

    def pick(self, row: OutboxMessage, accounts: dict) -> Any:
        return linking.choose_account(accounts.get(row.person_id, []),
                                      preferred=self.preferred.get(row.person_id),
                                      failed=self.failed.get(row.id, set()))


async def _fall_back(session, job: _Job, error: DeliveryError, now: datetime,  # noqa: ANN001
                     channels: dict[str, ChannelSender]) -> bool:
    """A message failed for good through one account: if the person has another (a linked
    channel), record the failure and let the message go there; False when there is none."""
    failed = (await linking.failed_accounts(session, message_ids=[job.id])).get(job.id, set())
    accounts = await delivery.active_accounts(session, person_ids=[job.person_id],
                                              channels=channels)
    other = linking.choose_account(accounts.get(job.person_id, []), preferred=None,
                                   failed=failed | {job.account_id})
    if other is None:
        return False
    linking.record_fallback(session, message_id=job.id, account_id=job.account_id,
                            channel=job.channel, error=str(error), now=now)
    log.warning("outbox falls back to another channel", extra={
        "outbox_id": job.id, "from_channel": job.channel, "to_channel": other.channel})
    return True


# -- Zalo OA's 7-day window (issue 7): never dropped, sent elsewhere or when they next write ---


async def _outside_window(session, job: _Job, error: DeliveryError, now: datetime,  # noqa: ANN001
                          channels: dict[str, ChannelSender]) -> dict[str, Any]:
    """The channel may not write to this person until they write to it (an `OutsideWindow`,
    raised by the Zalo OA adapter): another linked channel takes the message; with none, it
    waits, `awaiting_contact` since `now`, until the person next writes (`_release_awaiting`)."""
    if await _fall_back(session, job, error, now, channels):
        return {"status": OutboxStatus.PENDING, "not_before": now, "parts_sent": 0,
                "attempts": 0}
    log.warning("outbox message waits for the person to write", extra={
        "outbox_id": job.id, "channel": job.channel})
    return {"status": OutboxStatus.AWAITING_CONTACT, "not_before": now}


async def _release_awaiting(session, now: datetime) -> None:  # noqa: ANN001
    released = await zalo_oa.release_awaiting(session, now=now)
    if released:
        log.info("outbox messages released: their person wrote again",
                 extra={"outbox_ids": released[:20]})
