"""The review of practices: history, changes asked for, recognition, and citizens' consensus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    MAX_ID,
    Practice,
    PracticeEvent,
    PracticePhoto,
    PracticeStatus,
    PracticeVote,
    Recognition,
    id_of,
)
from storage.repositories.officials import Scope

AWAITING_REVIEW = (PracticeStatus.SUBMITTED,)


async def get_practice(session: AsyncSession, practice_id: int) -> Practice | None:
    return await session.get(Practice, practice_id) if practice_id <= MAX_ID else None


async def add_event(
    session: AsyncSession, *, practice: Practice, kind: str, actor_id: int, now: datetime,
    to_status: str | None = None, note: str | None = None,
    field_names: Sequence[str] = (),
) -> PracticeEvent:
    """Record a review step and move the practice to `to_status` (if given)."""
    event = PracticeEvent(practice_id=id_of(practice), kind=kind, actor_id=actor_id,
                          from_status=practice.status, to_status=to_status, note=note,
                          field_names=list(field_names), created_at=now)
    if to_status is not None:
        practice.status = to_status
    practice.updated_at = now
    session.add(event)
    session.add(practice)
    await session.flush()
    return event


async def events_of(session: AsyncSession, practice_id: int) -> Sequence[PracticeEvent]:
    result = await session.exec(select(PracticeEvent)
                                .where(PracticeEvent.practice_id == practice_id)
                                .order_by(col(PracticeEvent.created_at), col(PracticeEvent.id)))
    return result.all()


async def latest_event(session: AsyncSession, *, practice_id: int,
                       kind: str) -> PracticeEvent | None:
    result = await session.exec(select(PracticeEvent)
                                .where(PracticeEvent.practice_id == practice_id,
                                       PracticeEvent.kind == kind)
                                .order_by(col(PracticeEvent.id).desc()).limit(1))
    return result.first()


async def pending_in_scope(session: AsyncSession, *, scope: Scope,
                           limit: int) -> Sequence[Practice]:
    """Practices awaiting review that an official may see, newest first."""
    result = await session.exec(select(Practice)
                                .where(col(Practice.status).in_(AWAITING_REVIEW),
                                       scope.practice_clause())
                                .order_by(col(Practice.updated_at).desc(), col(Practice.id).desc())
                                .limit(limit))
    return result.all()


async def count_pending_in_scope(session: AsyncSession, *, scope: Scope) -> int:
    result = await session.exec(select(func.count()).select_from(Practice)
                                .where(col(Practice.status).in_(AWAITING_REVIEW),
                                       scope.practice_clause()))
    return int(result.one())


async def update_answers(session: AsyncSession, *, practice: Practice,
                         values: dict[str, Any], photos: Sequence[dict[str, Any]] | None) -> None:
    """Apply a leader's edits; photos, when given, replace the old ones."""
    for name, value in values.items():
        setattr(practice, name, value)
    session.add(practice)
    if photos is not None:
        await session.exec(delete(PracticePhoto).where(
            col(PracticePhoto.practice_id) == practice.id))
        for position, photo in enumerate(photos):
            session.add(PracticePhoto(practice_id=id_of(practice), position=position, **photo))
    await session.flush()


# -- recognition ----------------------------------------------------------------------------


async def recognitions_of(session: AsyncSession, practice_id: int) -> Sequence[Recognition]:
    result = await session.exec(select(Recognition).where(Recognition.practice_id == practice_id)
                                .order_by(col(Recognition.recognised_at)))
    return result.all()


async def recognise(session: AsyncSession, *, practice: Practice, level: str,
                    unit_code: str | None, by: int, now: datetime,
                    valid_until: datetime) -> Recognition:
    recognition = Recognition(practice_id=id_of(practice), level=level, unit_code=unit_code,
                              recognised_by=by, recognised_at=now, valid_until=valid_until)
    session.add(recognition)
    await session.flush()
    return recognition


async def recognised_in_commune(session: AsyncSession, *, commune_code: str,
                                limit: int = 20) -> Sequence[Practice]:
    result = await session.exec(select(Practice)
                                .where(Practice.commune_code == commune_code,
                                       Practice.status == PracticeStatus.RECOGNISED)
                                .order_by(col(Practice.updated_at).desc()).limit(limit))
    return result.all()


# -- citizens' consensus --------------------------------------------------------------------


@dataclass(frozen=True)
class Consensus:
    votes: int
    agree: int
    mean_satisfaction: float | None

    @property
    def disagree(self) -> int:
        return self.votes - self.agree


async def consensus_of(session: AsyncSession, practice_id: int) -> Consensus:
    """The votes that count: cast by people who declared they live in the practice's commune."""
    votes = (await session.exec(
        select(PracticeVote)
        .join(Practice, col(Practice.id) == col(PracticeVote.practice_id))
        .where(PracticeVote.practice_id == practice_id,
               col(PracticeVote.resident_of) == col(Practice.commune_code)))).all()
    if not votes:
        return Consensus(0, 0, None)
    agree = sum(1 for v in votes if v.agrees)
    return Consensus(len(votes), agree, sum(v.satisfaction for v in votes) / len(votes))


async def vote_of(session: AsyncSession, *, practice_id: int,
                  person_id: int) -> PracticeVote | None:
    return (await session.exec(select(PracticeVote).where(
        PracticeVote.practice_id == practice_id, PracticeVote.person_id == person_id))).first()


async def cast_vote(session: AsyncSession, *, practice_id: int, person_id: int, agrees: bool,
                    satisfaction: int, resident_of: str | None,
                    now: datetime) -> tuple[PracticeVote, bool]:
    """Record a person's vote with the commune they declared they live in (None: not the
    practice's), replacing their earlier one; True when it replaced one."""
    vote = await vote_of(session, practice_id=practice_id, person_id=person_id)
    changed = vote is not None
    if vote is None:
        vote = PracticeVote(practice_id=practice_id, person_id=person_id, agrees=agrees,
                            satisfaction=satisfaction, resident_of=resident_of, updated_at=now)
    else:
        vote.agrees, vote.satisfaction, vote.updated_at = agrees, satisfaction, now
        vote.resident_of = resident_of
    session.add(vote)
    await session.flush()
    return vote, changed
