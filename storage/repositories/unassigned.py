"""Items that wait with no official anywhere on their path: an open feedback or a practice
awaiting review whose commune, province and the central level all have no official.

`officials.responsible_officials` answers "who answers for this one item?"; this module asks the
same question of every waiting item at once, in SQL, for the operator (the metric
`dvk_unassigned_items` and /healthz) and for the first official invited there, who is handed
what waited. The condition mirrors `responsible_officials` level by level, so the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, not_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OPEN_FEEDBACK_STATUSES, Feedback, Level, Person, Practice
from storage.repositories.officials import OFFICIAL_ROLES, Scope
from storage.repositories.reviews import AWAITING_REVIEW

FEEDBACK, PRACTICE = "feedback", "practice"
KINDS = (FEEDBACK, PRACTICE)


@dataclass(frozen=True)
class WaitingUnit:
    """A commune with items waiting for an official: how many of each kind."""

    unit_code: str
    province_code: str
    feedback: int = 0
    practice: int = 0


def _nobody_on_path(unit_code: Any, province_code: Any) -> Any:
    """No official for the unit, none for its province, none at the central level."""
    official = col(Person.role).in_(OFFICIAL_ROLES)
    return and_(
        not_(exists().where(official, col(Person.unit_code) == unit_code)),
        not_(exists().where(official, col(Person.level) == Level.PROVINCE,
                            col(Person.unit_code) == province_code)),
        not_(exists().where(official, col(Person.level) == Level.CENTRAL)),
    )


def _feedback_waiting() -> Any:
    return and_(col(Feedback.status).in_(OPEN_FEEDBACK_STATUSES),
                _nobody_on_path(Feedback.assigned_unit_code, Feedback.assigned_province_code))


def _practice_waiting() -> Any:
    return and_(col(Practice.status).in_(AWAITING_REVIEW),
                _nobody_on_path(Practice.commune_code, Practice.province_code))


async def counts(session: AsyncSession) -> dict[str, int]:
    """How many items of each kind wait with nobody to take them."""
    feedback = await session.exec(
        select(func.count()).select_from(Feedback).where(_feedback_waiting()))
    practice = await session.exec(
        select(func.count()).select_from(Practice).where(_practice_waiting()))
    return {FEEDBACK: int(feedback.one()), PRACTICE: int(practice.one())}


async def waiting_units(session: AsyncSession) -> list[WaitingUnit]:
    """Every commune with waiting items, the most items first (then by code)."""
    found: dict[str, WaitingUnit] = {}
    feedback = await session.exec(
        select(Feedback.assigned_unit_code, Feedback.assigned_province_code, func.count())
        .where(_feedback_waiting())
        .group_by(col(Feedback.assigned_unit_code), col(Feedback.assigned_province_code)))
    for unit, province, count in feedback.all():
        found[unit] = WaitingUnit(unit, province, feedback=int(count))
    practice = await session.exec(
        select(Practice.commune_code, Practice.province_code, func.count())
        .where(_practice_waiting())
        .group_by(col(Practice.commune_code), col(Practice.province_code)))
    for unit, province, count in practice.all():
        before = found.get(unit, WaitingUnit(unit, province))
        found[unit] = WaitingUnit(unit, province, feedback=before.feedback, practice=int(count))
    return sorted(found.values(), key=lambda w: (-(w.feedback + w.practice), w.unit_code))


@dataclass(frozen=True)
class WaitingItems:
    """What waits for an official of one scope: the oldest items, and how many in all."""

    feedback: Sequence[Feedback]
    practices: Sequence[Practice]
    feedback_total: int
    practice_total: int


async def waiting_in_scope(session: AsyncSession, *, scope: Scope, limit: int) -> WaitingItems:
    """Waiting items an official of `scope` would answer for, oldest first (at most `limit`
    of each kind), and how many there are. Asked just before that official is made, these are
    exactly the items the new official becomes the first to answer for."""
    feedback_clause = and_(_feedback_waiting(), scope.feedback_clause())
    practice_clause = and_(_practice_waiting(), scope.practice_clause())
    feedback = (await session.exec(
        select(Feedback).where(feedback_clause)
        .order_by(col(Feedback.created_at), col(Feedback.id)).limit(limit))).all()
    practices = (await session.exec(
        select(Practice).where(practice_clause)
        .order_by(col(Practice.updated_at), col(Practice.id)).limit(limit))).all()
    feedback_total = await session.exec(
        select(func.count()).select_from(Feedback).where(feedback_clause))
    practice_total = await session.exec(
        select(func.count()).select_from(Practice).where(practice_clause))
    return WaitingItems(feedback, practices, int(feedback_total.one()),
                        int(practice_total.one()))
