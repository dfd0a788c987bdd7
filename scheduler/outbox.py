"""The one sender for everything the bot says on its own: notifications and reminders.

Rows wait in the outbox table; the worker delivers due rows through the channel of the person's
most recently used active account, and records the outcome. A row is marked `sending` (and
committed) before the platform call, so a crash mid-send never leads to a second copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from bot.delivery import ChannelSender, DeliveryError, Failure
from handlers.clock import Clock
from handlers.replies import from_payload
from storage.db import Database
from storage.models import ChannelAccount, OutboxMessage, OutboxStatus
from storage.repositories import outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class OutboxWorker:
    def __init__(self, db: Database, senders: dict[str, ChannelSender], clock: Clock,
                 *, idle_poll_seconds: float = 5.0) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock
        self.idle_poll_seconds = idle_poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.sent = 0

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def drain(self) -> int:
        """Deliver every message due now; returns how many were delivered."""
        delivered = 0
        while True:
            async with self.db.session() as session:
                batch = await outbox.due(session, now=self.clock.now(), limit=50)
            if not batch:
                return delivered
            for message in batch:
                delivered += await self._deliver(message.id)

    async def _run(self) -> None:
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("outbox pass failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)

    async def _deliver(self, message_id: int) -> int:
        async with self.db.session() as session:
            message = await session.get(OutboxMessage, message_id)
            if message is None or message.status != OutboxStatus.PENDING:
                return 0
            account = await self._account_for(session, message)
            if account is None:
                message.status = OutboxStatus.FAILED
                message.last_error = "no active account on a connected channel"
                await session.commit()
                log.warning("outbox: nowhere to deliver", extra={"outbox_id": message.id})
                return 0
            message.status = OutboxStatus.SENDING
            message.account_id, message.channel = account.id, account.channel
            message.attempts += 1
            await session.commit()
            chat_id, channel = account.chat_id, account.channel
        try:
            await self.senders[channel].deliver(chat_id, from_payload(message.payload))
        except DeliveryError as error:
            await self._failed(message_id, error)
            return 0
        async with self.db.session() as session:
            message = await session.get(OutboxMessage, message_id)
            message.status = OutboxStatus.SENT
            message.sent_at = self.clock.now()
            await session.commit()
        self.sent += 1
        return 1

    async def _account_for(self, session, message: OutboxMessage) -> ChannelAccount | None:  # noqa: ANN001
        for account in await outbox.delivery_accounts(session, person_id=message.person_id):
            if account.channel in self.senders:
                return account
        return None

    async def _failed(self, message_id: int, error: DeliveryError) -> None:
        now = self.clock.now()
        async with self.db.session() as session:
            message = await session.get(OutboxMessage, message_id)
            message.last_error = str(error)[:500]
            if error.failure is Failure.BLOCKED and message.account_id is not None:
                account = await session.get(ChannelAccount, message.account_id)
                account.active = False  # try the person's other accounts, if any
                message.status = OutboxStatus.PENDING
            elif error.failure is Failure.PERMANENT or message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
            else:
                wait = error.retry_after if error.retry_after else min(2 ** message.attempts, 300)
                message.status = OutboxStatus.PENDING
                message.not_before = now + timedelta(seconds=wait)
            await session.commit()
        log.warning("outbox delivery failed", extra={
            "outbox_id": message_id, "failure": error.failure, "detail": error.detail[:200]})
