"""Processed platform updates, so a redelivered update is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


async def claim(session: AsyncSession, *, channel: str, update_id: str, now: datetime) -> bool:
    """Record the update as handled; False when it already was.

    The claim is part of the update's transaction: if handling fails and rolls back, the update
    is not marked and a redelivery gets another chance.
    """
    if await session.get(ProcessedUpdate, (channel, update_id)) is not None:
        return False
    session.add(ProcessedUpdate(channel=channel, update_id=update_id, processed_at=now))
    await session.flush()
    return True
