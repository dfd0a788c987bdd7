"""The rows a periodic report is computed from: one jurisdiction, one period.

Only what a report may show is selected: for feedback never the reporter's id or phone, and the
reporter's name only when they chose to be named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Consultation, ConsultationVote, Feedback, Practice, Recognition, id_of
from storage.repositories import feedback_flags
from storage.repositories.officials import Scope


def from_db(value: datetime) -> datetime:
    """Datetimes read back are UTC; SQLite may return them without an offset."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(frozen=True)
class PracticeRow:
    id: int
    code: str
    title: str
    field: str
    status: str
    commune_code: str
    submitter_name: str
    created_at: datetime
    people_mobilised: int = 0
    organisations_taking_part: int | None = None
    contribution_workdays: int | None = None
    contribution_money_vnd: int | None = None
    contribution_other: str | None = None


@dataclass(frozen=True)
class RecognitionRow:
    practice_id: int
    practice_code: str
    practice_title: str
    level: str
    unit_code: str | None
    recognised_at: datetime
    year: int | None = None
    decision_number: str | None = None
    decision_date: date | None = None
    consultation: ConsultationRow | None = None
    """The residents' consultation it was made with (None: without one)."""


@dataclass(frozen=True)
class ConsultationRow:
    """A closed residents' consultation: counts and the comments, never who answered."""

    practice_code: str
    practice_title: str
    commune_code: str
    opened_at: datetime
    closed_at: datetime
    invited: int
    votes: int
    agree: int
    satisfaction_avg: float | None
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackRow:
    code: str
    category: str
    status: str
    commune_code: str
    named_sender: str | None
    """The sender's name only if they chose to be named; None for anonymous feedback."""
    created_at: datetime
    first_answered_at: datetime | None
    resolved_at: datetime | None
    satisfaction: int | None
    flags: tuple[tuple[str, str | None], ...] = ()
    """Warnings found when it was sent (kind, detail): possible spam, rude words."""


async def practices(session: AsyncSession, *, scope: Scope, start: datetime,
                    end: datetime) -> Sequence[PracticeRow]:
    """Practices of the jurisdiction submitted in [start, end)."""
    result = await session.exec(
        select(Practice).where(scope.practice_clause(), Practice.created_at >= start,
                               Practice.created_at < end)
        .order_by(col(Practice.created_at), col(Practice.id)))
    return [PracticeRow(id_of(p), p.code or "", p.title, p.field, p.status, p.commune_code,
                        p.submitter_name, from_db(p.created_at), p.people_mobilised,
                        p.organisations_taking_part, p.contribution_workdays,
                        p.contribution_money_vnd, p.contribution_other)
            for p in result.all()]


async def recognitions(session: AsyncSession, *, scope: Scope, start: datetime,
                       end: datetime) -> Sequence[RecognitionRow]:
    """Recognitions made in [start, end) of practices of the jurisdiction."""
    result = await session.exec(
        select(Recognition, Practice)
        .join(Practice, col(Practice.id) == col(Recognition.practice_id))
        .where(scope.practice_clause(), Recognition.recognised_at >= start,
               Recognition.recognised_at < end)
        .order_by(col(Recognition.recognised_at), col(Recognition.id)))
    rows = result.all()
    consulted = {c.id: c for c in (await session.exec(select(Consultation).where(
        col(Consultation.id).in_([r.consultation_id for r, _ in rows
                                  if r.consultation_id is not None])))).all()}
    return [RecognitionRow(id_of(p), p.code or "", p.title, r.level, r.unit_code,
                           from_db(r.recognised_at), r.year, r.decision_number,
                           r.decision_date,
                           _consultation_row(consulted[r.consultation_id], p, ())
                           if r.consultation_id in consulted else None)
            for r, p in rows]


def _consultation_row(c: Consultation, p: Practice,
                      comments: Sequence[str]) -> ConsultationRow:
    return ConsultationRow(p.code or "", p.title, c.commune_code, from_db(c.opened_at),
                           from_db(c.closed_at or c.closes_at), c.invited, c.votes or 0,
                           c.agree or 0, c.satisfaction_avg, tuple(comments))


async def consultations(session: AsyncSession, *, scope: Scope, start: datetime,
                        end: datetime) -> Sequence[ConsultationRow]:
    """Residents' consultations of the jurisdiction's practices closed in [start, end), with
    the comments of the counted answers (residents of the commune), without who wrote them."""
    rows = (await session.exec(
        select(Consultation, Practice)
        .join(Practice, col(Practice.id) == col(Consultation.practice_id))
        .where(scope.practice_clause(), col(Consultation.closed_at).is_not(None),
               col(Consultation.closed_at) >= start, col(Consultation.closed_at) < end)
        .order_by(col(Consultation.closed_at), col(Consultation.id)))).all()
    found = []
    for c, p in rows:
        comments = (await session.exec(select(ConsultationVote.comment).where(
            ConsultationVote.consultation_id == c.id,
            ConsultationVote.resident_of == c.commune_code,
            col(ConsultationVote.comment).is_not(None))
            .order_by(col(ConsultationVote.updated_at), col(ConsultationVote.id)))).all()
        found.append(_consultation_row(c, p, [text for text in comments if text]))
    return found


async def recognition_levels(
    session: AsyncSession, *, practice_ids: Sequence[int]
) -> dict[int, set[str]]:
    """Every level each practice has been recognised at (any time)."""
    levels: dict[int, set[str]] = {}
    ids = list(practice_ids)
    for start in range(0, len(ids), 500):
        result = await session.exec(
            select(Recognition.practice_id, Recognition.level)
            .where(col(Recognition.practice_id).in_(ids[start:start + 500])))
        for practice_id, level in result.all():
            levels.setdefault(practice_id, set()).add(level)
    return levels


async def feedback(session: AsyncSession, *, scope: Scope, start: datetime,
                   end: datetime) -> Sequence[FeedbackRow]:
    """Feedback of the jurisdiction received in [start, end)."""
    result = await session.exec(
        select(Feedback).where(scope.feedback_clause(), Feedback.created_at >= start,
                               Feedback.created_at < end)
        .order_by(col(Feedback.created_at), col(Feedback.id)))
    rows = result.all()
    flags = await feedback_flags.of_many(session, [f.id for f in rows if f.id is not None])
    return [FeedbackRow(f.code or "", f.category, f.status, f.commune_code,
                        None if f.anonymous else (f.reporter_name or None),
                        from_db(f.created_at),
                        from_db(f.first_answered_at) if f.first_answered_at else None,
                        from_db(f.resolved_at) if f.resolved_at else None, f.satisfaction,
                        tuple((g.kind, g.detail) for g in flags.get(f.id or 0, ())))
            for f in rows]
