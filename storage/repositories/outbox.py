"""The outbox: messages waiting to be sent, and the record of what was delivered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChannelAccount, OutboxMessage, OutboxStatus


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


async def due(session: AsyncSession, *, now: datetime, limit: int = 100) -> Sequence[OutboxMessage]:
    result = await session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
    )
    return result.all()


async def backlog(session: AsyncSession) -> int:
    result = await session.exec(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    return int(result.one())


async def delivery_accounts(session: AsyncSession, *, person_id: int) -> Sequence[ChannelAccount]:
    """A person's active accounts, most recently used first: where a notice can go."""
    result = await session.exec(
        select(ChannelAccount)
        .where(ChannelAccount.person_id == person_id, ChannelAccount.active == True)  # noqa: E712
        .order_by(col(ChannelAccount.last_seen_at).desc())
    )
    return result.all()
