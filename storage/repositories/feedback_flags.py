"""Warnings on feedback (possible spam, rude words), found when it is sent and shown to the
officials on its card and in the report's feedback list (handlers/abuse/flags.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Feedback, FeedbackFlag


async def add(session: AsyncSession, *, feedback_id: int, flags: Iterable[tuple[str, str | None]],
              now: datetime) -> list[FeedbackFlag]:
    """Store `(kind, detail)` pairs for a feedback."""
    rows = [FeedbackFlag(feedback_id=feedback_id, kind=kind,
                         detail=detail[:200] if detail else None, created_at=now)
            for kind, detail in flags]
    session.add_all(rows)
    await session.flush()
    return rows


async def of_feedback(session: AsyncSession, feedback_id: int) -> Sequence[FeedbackFlag]:
    result = await session.exec(select(FeedbackFlag).where(
        FeedbackFlag.feedback_id == feedback_id).order_by(col(FeedbackFlag.id)))
    return result.all()


async def of_many(session: AsyncSession,
                  feedback_ids: Sequence[int]) -> dict[int, list[FeedbackFlag]]:
    """The flags of several feedback at once (an inbox page, a report), by feedback id."""
    found: dict[int, list[FeedbackFlag]] = {}
    for start in range(0, len(feedback_ids), 500):  # keep each IN (...) list modest
        result = await session.exec(select(FeedbackFlag).where(
            col(FeedbackFlag.feedback_id).in_(feedback_ids[start:start + 500]))
            .order_by(col(FeedbackFlag.id)))
        for flag in result.all():
            found.setdefault(flag.feedback_id, []).append(flag)
    return found


async def texts_sent_since(session: AsyncSession, *, reporter_id: int, anonymous: bool,
                           since: datetime) -> Sequence[str]:
    """The texts of this sender's feedback since a moment, of the same kind (anonymous or
    named): an anonymous feedback is never compared with named ones, so its warning cannot tie
    it to a name."""
    result = await session.exec(select(Feedback.text).where(
        Feedback.reporter_id == reporter_id, Feedback.anonymous == anonymous,
        col(Feedback.created_at) >= since))
    return result.all()
