"""Residents' consultations on a practice (lấy ý kiến Nhân dân): opening one, the invitations
to the commune's followers, one answer per person, the result at closing.

The result counts the answers of people who declared they live in the practice's commune (the
one-person, residents-only rule of the consensus votes). Officials get the counts and the
comments; no function here returns who answered what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    MAX_ID,
    Consultation,
    ConsultationVote,
    Follow,
    OutboxMessage,
    Practice,
)


def invite_key(consultation_id: int, person_id: int) -> str:
    return f"cons:{consultation_id}:p{person_id}"


async def open_consultation(session: AsyncSession, *, practice: Practice, by: int,
                            now: datetime, closes_at: datetime) -> Consultation:
    assert practice.id is not None
    consultation = Consultation(practice_id=practice.id, commune_code=practice.commune_code,
                                opened_by=by, opened_at=now, closes_at=closes_at)
    session.add(consultation)
    await session.flush()
    return consultation


async def get(session: AsyncSession, consultation_id: int) -> Consultation | None:
    return await session.get(Consultation, consultation_id) \
        if 0 < consultation_id <= MAX_ID else None


async def of_practice(session: AsyncSession, practice_id: int) -> Sequence[Consultation]:
    return (await session.exec(select(Consultation).where(
        Consultation.practice_id == practice_id).order_by(col(Consultation.id)))).all()


async def open_in_commune(session: AsyncSession, *, commune_code: str, now: datetime,
                          limit: int = 20) -> Sequence[tuple[Consultation, Practice]]:
    rows = await session.exec(
        select(Consultation, Practice).join(Practice, col(Practice.id) == Consultation.practice_id)
        .where(Consultation.commune_code == commune_code, col(Consultation.closed_at).is_(None),
               col(Consultation.closes_at) > now)
        .order_by(col(Consultation.closes_at)).limit(limit))
    return [(c, p) for c, p in rows.all()]


async def followers_of_commune(session: AsyncSession, *, commune_code: str) -> list[int]:
    """Who follows the commune itself (/theodoi): the residents the bot can invite."""
    rows = await session.exec(select(Follow.person_id).where(Follow.unit_code == commune_code)
                              .order_by(col(Follow.person_id)))
    return list(rows.all())


async def queue_invitations(session: AsyncSession, *, consultation: Consultation,
                            payloads: dict[int, list[dict[str, Any]]], now: datetime) -> int:
    """One outbox row per invited person (their language's payload), held through quiet hours
    and paced like every notice; a person already invited is not invited twice."""
    assert consultation.id is not None
    queued = 0
    for person_id, payload in payloads.items():
        key = invite_key(consultation.id, person_id)
        if (await session.exec(select(OutboxMessage.id).where(
                OutboxMessage.idempotency_key == key))).first() is not None:
            continue
        session.add(OutboxMessage(idempotency_key=key, person_id=person_id, payload=payload,
                                  not_before=now, created_at=now, quiet_hours=True,
                                  expires_at=consultation.closes_at))
        queued += 1
    consultation.invited += queued
    session.add(consultation)
    await session.flush()
    return queued


async def vote_of(session: AsyncSession, *, consultation_id: int,
                  person_id: int) -> ConsultationVote | None:
    return (await session.exec(select(ConsultationVote).where(
        ConsultationVote.consultation_id == consultation_id,
        ConsultationVote.person_id == person_id))).first()


async def answer(session: AsyncSession, *, consultation: Consultation, person_id: int,
                 agrees: bool, satisfaction: int, comment: str | None, resident_of: str | None,
                 now: datetime) -> bool:
    """Record or replace a person's answer; True when it replaced an earlier one."""
    assert consultation.id is not None
    vote = await vote_of(session, consultation_id=consultation.id, person_id=person_id)
    changed = vote is not None
    if vote is None:
        vote = ConsultationVote(consultation_id=consultation.id, person_id=person_id,
                                agrees=agrees, satisfaction=satisfaction, comment=comment,
                                resident_of=resident_of, updated_at=now)
    else:
        vote.agrees, vote.satisfaction, vote.comment = agrees, satisfaction, comment
        vote.resident_of, vote.updated_at = resident_of, now
    session.add(vote)
    await session.flush()
    return changed


@dataclass(frozen=True)
class Result:
    votes: int
    agree: int
    satisfaction_avg: float | None
    comments: list[str]
    """The counted answers' comments, oldest first, without who wrote them."""

    @property
    def disagree(self) -> int:
        return self.votes - self.agree


async def result_of(session: AsyncSession, consultation: Consultation) -> Result:
    """The answers that count: from people who declared they live in the commune."""
    votes = (await session.exec(select(ConsultationVote).where(
        ConsultationVote.consultation_id == consultation.id,
        ConsultationVote.resident_of == consultation.commune_code)
        .order_by(col(ConsultationVote.updated_at), col(ConsultationVote.id)))).all()
    if not votes:
        return Result(0, 0, None, [])
    return Result(len(votes), sum(1 for v in votes if v.agrees),
                  round(sum(v.satisfaction for v in votes) / len(votes), 1),
                  [v.comment for v in votes if v.comment])


async def due_to_close(session: AsyncSession, *, now: datetime,
                       limit: int = 100) -> Sequence[Consultation]:
    return (await session.exec(select(Consultation).where(
        col(Consultation.closed_at).is_(None), col(Consultation.closes_at) <= now)
        .order_by(col(Consultation.closes_at)).limit(limit))).all()


async def close(session: AsyncSession, *, consultation: Consultation, now: datetime) -> Result:
    """Close it and keep its result on the row (what recognitions and exports read)."""
    result = await result_of(session, consultation)
    consultation.closed_at = now
    consultation.votes, consultation.agree = result.votes, result.agree
    consultation.satisfaction_avg = result.satisfaction_avg
    consultation.comments = len(result.comments)
    session.add(consultation)
    await session.flush()
    return result


async def closed_of_practice(session: AsyncSession, practice_id: int) -> Consultation | None:
    """The practice's latest closed consultation, if any."""
    return (await session.exec(select(Consultation).where(
        Consultation.practice_id == practice_id, col(Consultation.closed_at).is_not(None))
        .order_by(col(Consultation.closed_at).desc(), col(Consultation.id).desc())
        .limit(1))).first()


async def open_of_practice(session: AsyncSession, practice_id: int) -> Consultation | None:
    return (await session.exec(select(Consultation).where(
        Consultation.practice_id == practice_id, col(Consultation.closed_at).is_(None))
        .order_by(col(Consultation.id).desc()).limit(1))).first()
