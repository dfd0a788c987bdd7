"""Feedback (phản ánh, kiến nghị), its history, its photos and voice notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    MAX_ID,
    OPEN_FEEDBACK_STATUSES,
    Feedback,
    FeedbackEvent,
    FeedbackEventKind,
    FeedbackPhoto,
    FeedbackVoice,
    Practice,
    id_of,
)
from storage.repositories.officials import Scope

REPORTER, OFFICIAL = "reporter", "official"


async def create_feedback(
    session: AsyncSession, *, feedback: Feedback, photos: Sequence[dict[str, Any]], year: int,
    voice: dict[str, Any] | None = None,
) -> Feedback:
    """Store a new feedback with its photos and voice note, its first history entry and its
    receipt code."""
    session.add(feedback)
    await session.flush()
    feedback.code = f"PA-{year}-{feedback.id:06d}"
    await add_event(session, feedback=feedback, kind=FeedbackEventKind.CREATED,
                    actor_id=None if feedback.anonymous else feedback.reporter_id,
                    actor_role=REPORTER, to_status=feedback.status, photos=photos,
                    voice=voice, now=feedback.created_at)
    return feedback


async def add_event(
    session: AsyncSession, *, feedback: Feedback, kind: str, actor_id: int | None,
    actor_role: str, now: datetime, from_status: str | None = None,
    to_status: str | None = None, text: str | None = None, unit_code: str | None = None,
    rating: int | None = None, photos: Sequence[dict[str, Any]] = (),
    voice: dict[str, Any] | None = None,
) -> FeedbackEvent:
    event = FeedbackEvent(feedback_id=id_of(feedback), kind=kind, actor_id=actor_id,
                          actor_role=actor_role, from_status=from_status, to_status=to_status,
                          unit_code=unit_code, text=text, rating=rating, created_at=now)
    session.add(event)
    await session.flush()
    start = await _photo_count(session, id_of(feedback))
    for position, photo in enumerate(photos, start=start):
        session.add(FeedbackPhoto(feedback_id=id_of(feedback), event_id=event.id,
                                  position=position, **photo))
    if voice:
        session.add(FeedbackVoice(feedback_id=id_of(feedback), event_id=event.id, **voice))
    feedback.updated_at = now
    session.add(feedback)
    await session.flush()
    return event


async def _photo_count(session: AsyncSession, feedback_id: int) -> int:
    result = await session.exec(select(func.count()).select_from(FeedbackPhoto)
                                .where(FeedbackPhoto.feedback_id == feedback_id))
    return int(result.one())


async def get(session: AsyncSession, feedback_id: int) -> Feedback | None:
    return await session.get(Feedback, feedback_id) if feedback_id <= MAX_ID else None


async def get_by_code(session: AsyncSession, code: str) -> Feedback | None:
    return (await session.exec(select(Feedback).where(Feedback.code == code))).first()


async def events_of(session: AsyncSession, feedback_id: int) -> Sequence[FeedbackEvent]:
    result = await session.exec(select(FeedbackEvent)
                                .where(FeedbackEvent.feedback_id == feedback_id)
                                .order_by(col(FeedbackEvent.created_at), col(FeedbackEvent.id)))
    return result.all()


async def photos_of(session: AsyncSession, feedback_id: int) -> Sequence[FeedbackPhoto]:
    result = await session.exec(select(FeedbackPhoto)
                                .where(FeedbackPhoto.feedback_id == feedback_id)
                                .order_by(col(FeedbackPhoto.position), col(FeedbackPhoto.id)))
    return result.all()


async def voices_of(session: AsyncSession, feedback_id: int) -> Sequence[FeedbackVoice]:
    result = await session.exec(select(FeedbackVoice)
                                .where(FeedbackVoice.feedback_id == feedback_id)
                                .order_by(col(FeedbackVoice.id)))
    return result.all()


async def voice_of_event(session: AsyncSession, event_id: int) -> FeedbackVoice | None:
    return (await session.exec(select(FeedbackVoice)
                               .where(FeedbackVoice.event_id == event_id))).first()


async def list_for_reporter(
    session: AsyncSession, *, person_id: int, limit: int = 10
) -> Sequence[Feedback]:
    result = await session.exec(select(Feedback).where(Feedback.reporter_id == person_id)
                                .order_by(col(Feedback.id).desc()).limit(limit))
    return result.all()


async def last_commune_of(session: AsyncSession, *, person_id: int) -> str | None:
    """The commune a person named most recently, in a feedback or a practice."""
    latest: list[tuple[datetime, str]] = []
    feedback = (await session.exec(select(Feedback).where(Feedback.reporter_id == person_id)
                                   .order_by(col(Feedback.id).desc()).limit(1))).first()
    if feedback is not None:
        latest.append((feedback.created_at, feedback.commune_code))
    practice = (await session.exec(select(Practice).where(Practice.submitter_id == person_id)
                                   .order_by(col(Practice.id).desc()).limit(1))).first()
    if practice is not None:
        latest.append((practice.created_at, practice.commune_code))
    return max(latest)[1] if latest else None


async def open_in_scope(
    session: AsyncSession, *, scope: Scope, limit: int
) -> Sequence[Feedback]:
    """Open feedback an official may see, newest first."""
    result = await session.exec(select(Feedback)
                                .where(col(Feedback.status).in_(OPEN_FEEDBACK_STATUSES),
                                       scope.feedback_clause())
                                .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
                                .limit(limit))
    return result.all()


async def count_open_in_scope(session: AsyncSession, *, scope: Scope) -> int:
    result = await session.exec(select(func.count()).select_from(Feedback)
                                .where(col(Feedback.status).in_(OPEN_FEEDBACK_STATUSES),
                                       scope.feedback_clause()))
    return int(result.one())


async def count_sent_since(session: AsyncSession, *, reporter_id: int, since: datetime) -> int:
    """How many feedback this person sent since then (the daily limit)."""
    query = select(func.count()).select_from(Feedback).where(
        Feedback.reporter_id == reporter_id, col(Feedback.created_at) >= since)
    return int((await session.exec(query)).one())
