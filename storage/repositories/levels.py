"""Levels and cycles: which years a level recognises in (the calendar's rows decide), the
recognitions a practice holds, and nominations from one level to the next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Deadline, DeadlineKind, Level, Nomination, Practice, Recognition

CYCLE_KINDS = (DeadlineKind.EVALUATION, DeadlineKind.HONOURING)


async def cycle_years(session: AsyncSession, *, level: str,
                      scope_codes: Sequence[str]) -> list[int]:
    """The years in which the calendar has an active evaluation or honouring date of `level`
    for every unit or for one of `scope_codes` (the unit itself, its province)."""
    where = or_(col(Deadline.scope_code).is_(None),
                col(Deadline.scope_code).in_(list(scope_codes)))
    rows = await session.exec(
        select(Deadline).where(col(Deadline.active).is_(True), col(Deadline.level) == level,
                               col(Deadline.kind).in_([str(k) for k in CYCLE_KINDS]), where))
    return sorted({deadline.due_date.year for deadline in rows.all()})


async def recognise(session: AsyncSession, *, practice: Practice, level: str,
                    unit_code: str | None, by: int, now: datetime, valid_until: datetime,
                    year: int, decision_number: str | None, decision_date: date | None,
                    consultation_id: int | None) -> Recognition:
    assert practice.id is not None
    recognition = Recognition(practice_id=practice.id, level=level, unit_code=unit_code,
                              recognised_by=by, recognised_at=now, valid_until=valid_until,
                              year=year, decision_number=decision_number,
                              decision_date=decision_date, consultation_id=consultation_id)
    session.add(recognition)
    await session.flush()
    return recognition


# -- nominations ----------------------------------------------------------------------------


async def nominate(session: AsyncSession, *, practice: Practice, from_level: str, to_level: str,
                   justification: str, by: int, now: datetime) -> Nomination:
    assert practice.id is not None
    target = practice.province_code if to_level == Level.PROVINCE else None
    nomination = Nomination(practice_id=practice.id, from_level=from_level, to_level=to_level,
                            target_unit_code=target, justification=justification,
                            nominated_by=by, created_at=now)
    session.add(nomination)
    await session.flush()
    return nomination


async def nominations_of(session: AsyncSession, practice_id: int) -> Sequence[Nomination]:
    return (await session.exec(select(Nomination).where(Nomination.practice_id == practice_id)
                               .order_by(col(Nomination.created_at), col(Nomination.id)))).all()


def _waiting_for(level: str, unit_code: str | None) -> list[ColumnElement[bool]]:
    where = [col(Nomination.to_level) == level, col(Nomination.decided_at).is_(None)]
    if level == Level.PROVINCE:
        where.append(col(Nomination.target_unit_code) == unit_code)
    return where


async def waiting_for(session: AsyncSession, *, level: str, unit_code: str | None,
                      limit: int = 20) -> Sequence[tuple[Nomination, Practice]]:
    """Nominations waiting for the officials of a province (or of the centre), oldest first."""
    if level not in (Level.PROVINCE, Level.CENTRAL):
        return []
    rows = await session.exec(
        select(Nomination, Practice).join(Practice, col(Practice.id) == Nomination.practice_id)
        .where(*_waiting_for(level, unit_code))
        .order_by(col(Nomination.created_at), col(Nomination.id)).limit(limit))
    return [(n, p) for n, p in rows.all()]


async def count_waiting_for(session: AsyncSession, *, level: str, unit_code: str | None) -> int:
    if level not in (Level.PROVINCE, Level.CENTRAL):
        return 0
    result = await session.exec(select(func.count()).select_from(Nomination)
                                .where(*_waiting_for(level, unit_code)))
    return int(result.one())


async def decide_nominations(session: AsyncSession, *, practice_id: int, level: str,
                             recognition_id: int | None, now: datetime) -> None:
    """The practice was recognised at `level`: its nominations to that level are decided."""
    for nomination in (await session.exec(select(Nomination).where(
            Nomination.practice_id == practice_id, Nomination.to_level == level,
            col(Nomination.decided_at).is_(None)))).all():
        nomination.decided_at, nomination.recognition_id = now, recognition_id
        session.add(nomination)
    await session.flush()

