"""Criteria sets units imported (`dvk criteria import`) and practices' assessments against
criteria (the submitter's own, and officials')."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AssessmentKind, CriteriaSet, PracticeAssessment


async def import_set(session: AsyncSession, *, unit_code: str, level: str, label: str,
                     content: dict[str, Any], source_name: str, now: datetime) -> CriteriaSet:
    """Store a unit's criteria as its next version."""
    latest = (await session.exec(select(func.max(CriteriaSet.version))
                                 .where(CriteriaSet.unit_code == unit_code))).one()
    row = CriteriaSet(unit_code=unit_code, level=level, version=(latest or 0) + 1, label=label,
                      content=content, source_name=source_name[:200], imported_at=now)
    session.add(row)
    await session.flush()
    return row


async def latest_set(session: AsyncSession, unit_code: str) -> CriteriaSet | None:
    return (await session.exec(select(CriteriaSet).where(CriteriaSet.unit_code == unit_code)
                               .order_by(col(CriteriaSet.version).desc()).limit(1))).first()


async def sets_of(session: AsyncSession, unit_code: str) -> Sequence[CriteriaSet]:
    return (await session.exec(select(CriteriaSet).where(CriteriaSet.unit_code == unit_code)
                               .order_by(col(CriteriaSet.version)))).all()


async def add_assessment(session: AsyncSession, assessment: PracticeAssessment) -> None:
    session.add(assessment)
    await session.flush()


async def latest_self_assessment(session: AsyncSession,
                                 practice_id: int) -> PracticeAssessment | None:
    """The submitter's current self-assessment: the one sent last (each resubmission adds
    one; the earlier ones stay as history)."""
    return (await session.exec(select(PracticeAssessment)
                               .where(PracticeAssessment.practice_id == practice_id,
                                      PracticeAssessment.kind == AssessmentKind.SELF)
                               .order_by(col(PracticeAssessment.id).desc()).limit(1))).first()


async def assessments_of(session: AsyncSession,
                         practice_id: int) -> Sequence[PracticeAssessment]:
    """Oldest first: the submitter's own, then officials' as they came."""
    return (await session.exec(select(PracticeAssessment)
                               .where(PracticeAssessment.practice_id == practice_id)
                               .order_by(col(PracticeAssessment.id)))).all()


async def assessments_of_many(session: AsyncSession, practice_ids: Sequence[int]
                              ) -> dict[int, list[PracticeAssessment]]:
    found: dict[int, list[PracticeAssessment]] = {}
    if not practice_ids:
        return found
    rows = await session.exec(select(PracticeAssessment)
                              .where(col(PracticeAssessment.practice_id).in_(practice_ids))
                              .order_by(col(PracticeAssessment.id)))
    for row in rows.all():
        found.setdefault(row.practice_id, []).append(row)
    return found
