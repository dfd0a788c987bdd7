"""Processed platform updates, so a redelivered update is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


def mark(session: AsyncSession, *, channel: str, update_id: str, now: datetime) -> None:
    """Record the update as handled, written with the rest of the update's transaction.

    If handling fails and rolls back, the update is not marked and a redelivery gets another
    chance; if two copies race, the primary key lets only one transaction commit.
    """
    session.add(ProcessedUpdate(channel=channel, update_id=update_id, processed_at=now))
