"""Followers of a feedback: people with the same problem as its sender, told of its status
changes like the sender (handlers/officials/follower_view.py) and counted on the officials'
card. Who they are is never shown to anyone; export, erasure and retention of these rows are in
storage/repositories/personal_data.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import MAX_ID, Feedback, FeedbackFollower

OFFER, MERGE = "offer", "merge"
"""How a person came to follow: chose it when about to send a duplicate; their own feedback
was merged into it."""


async def follow(session: AsyncSession, *, feedback: Feedback, person_id: int, via: str,
                 now: datetime, from_feedback_id: int | None = None) -> bool:
    """Make the person a follower; False when they already follow it or sent it."""
    if person_id == feedback.reporter_id or await is_follower(
            session, feedback_id=feedback.id or 0, person_id=person_id):
        return False
    session.add(FeedbackFollower(feedback_id=feedback.id or 0, person_id=person_id, via=via,
                                 from_feedback_id=from_feedback_id, created_at=now))
    await session.flush()
    return True


async def is_follower(session: AsyncSession, *, feedback_id: int, person_id: int) -> bool:
    if feedback_id > MAX_ID:  # a typed or forged id no row can have (PostgreSQL would refuse it)
        return False
    found = await session.exec(select(FeedbackFollower.id).where(
        FeedbackFollower.feedback_id == feedback_id, FeedbackFollower.person_id == person_id))
    return found.first() is not None


async def follower_ids(session: AsyncSession, feedback_id: int) -> list[int]:
    """Who to tell (people whose data was erased are no longer linked)."""
    found = await session.exec(select(FeedbackFollower.person_id).where(
        FeedbackFollower.feedback_id == feedback_id, col(FeedbackFollower.person_id).is_not(None))
        .order_by(col(FeedbackFollower.id)))
    return [person_id for person_id in found.all() if person_id is not None]


async def people_affected(session: AsyncSession, feedback_id: int) -> int:
    """The sender and everyone who follows it (erased people still count: the problem was
    theirs too)."""
    followers = await session.exec(select(func.count()).select_from(FeedbackFollower).where(
        FeedbackFollower.feedback_id == feedback_id))
    return 1 + int(followers.one())


async def followed_by(session: AsyncSession, *, person_id: int,
                      limit: int = 10) -> Sequence[Feedback]:
    """The feedback a person follows, newest first."""
    result = await session.exec(
        select(Feedback).join(FeedbackFollower, col(FeedbackFollower.feedback_id) == Feedback.id)
        .where(FeedbackFollower.person_id == person_id)
        .order_by(col(Feedback.id).desc()).limit(limit))
    return result.all()


async def move_to_survivor(session: AsyncSession, *, duplicate: Feedback, survivor: Feedback,
                           now: datetime) -> int:
    """A merge: the duplicate's sender and followers follow the survivor; how many were added."""
    people = [duplicate.reporter_id, *await follower_ids(session, duplicate.id or 0)]
    added = 0
    for person_id in dict.fromkeys(people):
        added += await follow(session, feedback=survivor, person_id=person_id, via=MERGE,
                              now=now, from_feedback_id=duplicate.id)
    return added
