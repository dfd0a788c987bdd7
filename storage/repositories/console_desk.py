"""What the console adds around a record: internal notes, reply templates per unit, and who
of the unit handles it (assignment). Officials only; the sender of a record never sees these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Assignment, ConsoleNote, Level, Person, ReplyTemplate
from storage.repositories.officials import OFFICIAL_ROLES

MAX_TEMPLATES = 50


async def add_note(session: AsyncSession, *, record_kind: str, record_id: int, author_id: int,
                   text: str, now: datetime) -> ConsoleNote:
    note = ConsoleNote(record_kind=record_kind, record_id=record_id, author_id=author_id,
                       text=text, created_at=now)
    session.add(note)
    await session.flush()
    return note


async def notes_of(session: AsyncSession, *, record_kind: str,
                   record_id: int) -> Sequence[ConsoleNote]:
    return (await session.exec(
        select(ConsoleNote).where(ConsoleNote.record_kind == record_kind,
                                  ConsoleNote.record_id == record_id)
        .order_by(col(ConsoleNote.id)))).all()


async def templates_of(session: AsyncSession, *, unit_code: str | None
                       ) -> Sequence[ReplyTemplate]:
    where = (col(ReplyTemplate.unit_code).is_(None) if unit_code is None
             else col(ReplyTemplate.unit_code) == unit_code)
    return (await session.exec(select(ReplyTemplate).where(where)
                               .order_by(col(ReplyTemplate.title), col(ReplyTemplate.id))
                               .limit(MAX_TEMPLATES))).all()


async def add_template(session: AsyncSession, *, unit_code: str | None, title: str, text: str,
                       created_by: int, now: datetime) -> ReplyTemplate:
    template = ReplyTemplate(unit_code=unit_code, title=title, text=text, created_by=created_by,
                             created_at=now)
    session.add(template)
    await session.flush()
    return template


async def remove_template(session: AsyncSession, *, template_id: int,
                          unit_code: str | None) -> bool:
    """Remove a unit's template (only that unit's: the id alone is not enough)."""
    where = (col(ReplyTemplate.unit_code).is_(None) if unit_code is None
             else col(ReplyTemplate.unit_code) == unit_code)
    removed = await session.exec(delete(ReplyTemplate).where(
        col(ReplyTemplate.id) == template_id, where))
    return removed.rowcount > 0


async def colleagues(session: AsyncSession, *, level: str,
                     unit_code: str | None) -> Sequence[Person]:
    """The officials of one unit (of the central level when `level` is central)."""
    query = select(Person).where(col(Person.role).in_(OFFICIAL_ROLES), Person.level == level)
    if level != Level.CENTRAL:
        query = query.where(Person.unit_code == unit_code)
    return (await session.exec(query.order_by(col(Person.display_name), col(Person.id)))).all()


async def assignment_of(session: AsyncSession, *, record_kind: str,
                        record_id: int) -> Assignment | None:
    return (await session.exec(select(Assignment).where(
        Assignment.record_kind == record_kind, Assignment.record_id == record_id))).first()


async def assign(session: AsyncSession, *, record_kind: str, record_id: int, assignee_id: int,
                 assigned_by: int, now: datetime) -> Assignment:
    found = await assignment_of(session, record_kind=record_kind, record_id=record_id)
    if found is None:
        found = Assignment(record_kind=record_kind, record_id=record_id,
                           assignee_id=assignee_id, assigned_by=assigned_by, assigned_at=now)
    else:
        found.assignee_id, found.assigned_by, found.assigned_at = assignee_id, assigned_by, now
    session.add(found)
    await session.flush()
    return found
