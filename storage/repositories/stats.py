"""Figures for an official's jurisdiction: counts, answer and resolution times, satisfaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Feedback, Practice
from storage.repositories.officials import Scope


@dataclass(frozen=True)
class JurisdictionStats:
    feedback_total: int
    feedback_by_status: dict[str, int]
    feedback_by_category: dict[str, int]
    feedback_by_commune: dict[str, int]
    practice_total: int
    practice_by_status: dict[str, int]
    practice_by_field: dict[str, int]
    practice_by_commune: dict[str, int]
    median_first_answer: timedelta | None
    median_resolution: timedelta | None
    mean_satisfaction: float | None
    ratings: int


async def for_scope(session: AsyncSession, *, scope: Scope) -> JurisdictionStats:
    fb, pr = scope.feedback_clause(), scope.practice_clause()
    by_status = await _counts(session, Feedback, Feedback.status, fb)
    practice_by_status = await _counts(session, Practice, Practice.status, pr)
    rows = (await session.exec(select(Feedback.created_at, Feedback.first_answered_at,
                                      Feedback.resolved_at, Feedback.satisfaction)
                               .where(fb))).all()
    answered = [_aware(a) - _aware(c) for c, a, _, _ in rows if a is not None]
    resolved = [_aware(r) - _aware(c) for c, _, r, _ in rows if r is not None]
    ratings = [s for *_, s in rows if s is not None]
    return JurisdictionStats(
        feedback_total=sum(by_status.values()),
        feedback_by_status=by_status,
        feedback_by_category=await _counts(session, Feedback, Feedback.category, fb),
        feedback_by_commune=await _counts(session, Feedback, Feedback.commune_code, fb),
        practice_total=sum(practice_by_status.values()),
        practice_by_status=practice_by_status,
        practice_by_field=await _counts(session, Practice, Practice.field, pr),
        practice_by_commune=await _counts(session, Practice, Practice.commune_code, pr),
        median_first_answer=_median(answered) if answered else None,
        median_resolution=_median(resolved) if resolved else None,
        mean_satisfaction=sum(ratings) / len(ratings) if ratings else None,
        ratings=len(ratings),
    )


async def _counts(session: AsyncSession, table: Any, column: Any, clause: Any) -> dict[str, int]:
    """Counts per value, largest first."""
    result = await session.exec(select(column, func.count()).select_from(table).where(clause)
                                .group_by(column).order_by(func.count().desc(), col(column)))
    return {str(value): int(count) for value, count in result.all()}


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _median(values: list[timedelta]) -> timedelta:
    """statistics.median, for durations (its type hints take numbers only)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
