"""The outbox: messages waiting to be sent, and the record of what was delivered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.leader import OUTBOX_CHANNEL
from storage.models import OutboxMessage, OutboxStatus


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    person_id: int,
    payload: list[dict[str, Any]],
    now: datetime,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Add a message unless one with the same idempotency key exists (then None)."""
    existing = (
        await session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    ).first()
    if existing is not None:
        return None
    message = OutboxMessage(idempotency_key=key, person_id=person_id, payload=payload,
                            not_before=not_before or now, created_at=now)
    session.add(message)
    await session.flush()
    return message


async def announce(session: AsyncSession) -> None:
    """Tell the leader's outbox sender, whichever worker it runs on, that this transaction
    queued messages: PostgreSQL delivers the NOTIFY when (and only if) it commits. SQLite has
    one process, whose sender is woken directly."""
    if session.get_bind().dialect.name == "postgresql":
        await session.exec(select(func.pg_notify(OUTBOX_CHANNEL, "")))


async def backlog(session: AsyncSession) -> int:
    result = await session.exec(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    return int(result.one())
