"""Open feedback that may be the same problem as one about to be sent (handlers/duplicates.py):
of the same category, recent, and either pinned near the same place or, where a pin is
missing, in the same commune with a similar text.

Similar texts are measured as PostgreSQL's pg_trgm does (storage/text_similarity.py): in SQL
where the extension exists (migration 0025 creates it when it may), in Python otherwise (SQLite,
or a PostgreSQL user without the privilege), with the same numbers either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, text
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import text_similarity
from storage.models import OPEN_FEEDBACK_STATUSES, Feedback, FeedbackFollower

SCANNED = 200
"""Without pg_trgm, at most this many of the commune's recent open feedback are compared."""


@dataclass(frozen=True)
class Box:
    """A rectangle of latitudes and longitudes around a pin (the caller measures distances)."""

    south: float
    west: float
    north: float
    east: float


def _open_candidates(*, category: str, since: datetime, person_id: int) -> list[Any]:
    """Open, of this category, sent since then, neither sent nor followed by this person."""
    followed = exists().where(col(FeedbackFollower.feedback_id) == col(Feedback.id),
                              col(FeedbackFollower.person_id) == person_id)
    return [col(Feedback.status).in_(OPEN_FEEDBACK_STATUSES), Feedback.category == category,
            col(Feedback.created_at) >= since, Feedback.reporter_id != person_id, ~followed]


async def pinned_within(session: AsyncSession, *, box: Box, category: str, since: datetime,
                        person_id: int, limit: int = 50) -> Sequence[Feedback]:
    """Candidates pinned inside the box, newest first."""
    result = await session.exec(select(Feedback).where(
        *_open_candidates(category=category, since=since, person_id=person_id),
        col(Feedback.latitude).between(box.south, box.north),
        col(Feedback.longitude).between(box.west, box.east),
    ).order_by(col(Feedback.created_at).desc()).limit(limit))
    return result.all()


async def similar_in_commune(session: AsyncSession, *, commune_code: str, text_: str,
                             category: str, since: datetime, person_id: int, unpinned_only: bool,
                             limit: int = 10) -> list[tuple[Feedback, float]]:
    """Candidates of the commune whose text is similar, most similar first, with how much."""
    where = [*_open_candidates(category=category, since=since, person_id=person_id),
             Feedback.commune_code == commune_code]
    if unpinned_only:
        where.append(col(Feedback.latitude).is_(None))
    if await has_pg_trgm(session):
        score = func.similarity(Feedback.text, text_)
        result = await session.exec(
            select(Feedback, score).where(*where, score >= text_similarity.SIMILAR)
            .order_by(score.desc(), col(Feedback.id).desc()).limit(limit))
        return [(feedback, float(value)) for feedback, value in result.all()]
    recent = await session.exec(select(Feedback).where(*where)
                                .order_by(col(Feedback.created_at).desc()).limit(SCANNED))
    scored = [(feedback, text_similarity.similarity(feedback.text, text_))
              for feedback in recent.all()]
    alike = [pair for pair in scored if pair[1] >= text_similarity.SIMILAR]
    return sorted(alike, key=lambda pair: (-pair[1], -(pair[0].id or 0)))[:limit]


async def has_pg_trgm(session: AsyncSession) -> bool:
    """Whether this database computes similarity itself (PostgreSQL with pg_trgm)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    found = await session.exec(  # type: ignore[call-overload]
        text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
    return found.first() is not None
