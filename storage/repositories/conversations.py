"""Conversation state rows, one per channel account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation


async def get_or_create(session: AsyncSession, *, account_id: int, now: datetime) -> Conversation:
    conversation = (
        await session.exec(select(Conversation).where(Conversation.account_id == account_id))
    ).first()
    if conversation is None:
        conversation = Conversation(account_id=account_id, data={}, updated_at=now)
        session.add(conversation)
        await session.flush()
    return conversation


def touch(conversation: Conversation, *, now: datetime) -> None:
    """Mark the JSON state dirty (it is mutated in place) and record the time of this turn."""
    conversation.updated_at = now
    flag_modified(conversation, "data")
