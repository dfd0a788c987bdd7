"""Which kept voice notes are still wanted: a feedback's, a practice's (among its answers),
or one a conversation in progress holds (waiting for its summary, kept for a later question,
or in a draft). A note nobody wants is personal data with no purpose (sent at a question that
takes no voice, or in a draft that was cancelled), and the housekeeping pass deletes it
(scheduler/housekeeping.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation, FeedbackVoice, Practice


async def in_use(session: AsyncSession, paths: Sequence[str]) -> set[str]:
    """Of these voice note keys, those a feedback or a practice keeps, or a conversation
    holds."""
    if not paths:
        return set()
    used = set((await session.exec(select(FeedbackVoice.path).where(
        col(FeedbackVoice.path).in_(list(paths))))).all())
    for path in set(paths) - used:
        for key, column in ((Conversation.id, Conversation.data),
                            (Practice.id, Practice.answers)):
            held = (await session.exec(select(key).where(
                cast(col(column), String).contains(path)).limit(1))).first()
            if held is not None:
                used.add(path)
                break
    return used
