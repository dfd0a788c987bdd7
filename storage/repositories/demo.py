"""Writes for `dvk demo` and the map benchmark: demo people, practices and their history.

Demo rows belong to one person named `DEMO_SUBMITTER`, so a second `dvk demo` can see the data
is already there. Nothing here runs in the bot itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Feedback, Person, Practice, PracticeVote, Recognition, Role
from storage.repositories.practices import create_practice

DEMO_SUBMITTER = "Dữ liệu mẫu (dvk demo)"
DEMO_OFFICIAL = "Cán bộ mẫu (dvk demo)"
DEMO_VOTER = "Người dân mẫu (dvk demo)"


async def demo_people(
    session: AsyncSession, *, now: datetime, voters: int
) -> tuple[Person, Person, list[Person]]:
    """The demo submitter, official and voters, created on first use."""
    submitter = await _person(session, DEMO_SUBMITTER, Role.CITIZEN, now)
    official = await _person(session, DEMO_OFFICIAL, Role.OFFICIAL, now)
    existing = list((await session.exec(
        select(Person).where(col(Person.display_name) == DEMO_VOTER).order_by(col(Person.id))
    )).all())
    for _ in range(voters - len(existing)):
        person = Person(display_name=DEMO_VOTER, role=Role.CITIZEN, created_at=now)
        session.add(person)
        existing.append(person)
    await session.flush()
    return submitter, official, existing[:voters]


async def _person(session: AsyncSession, name: str, role: str, now: datetime) -> Person:
    person = (await session.exec(select(Person).where(col(Person.display_name) == name))).first()
    if person is None:
        person = Person(display_name=name, role=role, created_at=now)
        session.add(person)
        await session.flush()
    return person


async def count_demo_practices(session: AsyncSession) -> int:
    statement = (
        select(func.count()).select_from(Practice)
        .join(Person, col(Person.id) == col(Practice.submitter_id))
        .where(col(Person.display_name) == DEMO_SUBMITTER)
    )
    return int((await session.exec(statement)).one())


async def add_practice_with_history(
    session: AsyncSession,
    *,
    practice: Practice,
    photos: Sequence[dict[str, Any]],
    year: int,
    recognitions: Iterable[Recognition] = (),
    votes: Iterable[PracticeVote] = (),
) -> Practice:
    """A practice as the bot would have stored it, plus what officials and citizens added."""
    stored = await create_practice(session, practice=practice, photos=photos, year=year)
    for row in (*recognitions, *votes):
        row.practice_id = stored.id
        session.add(row)
    await session.flush()
    return stored


async def next_practice_id(session: AsyncSession) -> int:
    return int((await session.exec(select(func.max(Practice.id)))).one() or 0) + 1


async def bulk_insert(
    session: AsyncSession,
    *,
    practices: Sequence[dict[str, Any]],
    recognitions: Sequence[dict[str, Any]] = (),
) -> None:
    """Many rows in one statement each (the benchmark's 100,000 practices). Practices carry
    their own ids and codes, so no flush per row is needed."""
    if practices:
        await session.exec(insert(Practice), params=list(practices))
        if session.get_bind().dialect.name == "postgresql":
            # Explicit ids leave PostgreSQL's id sequence behind (SQLite continues from the
            # largest id): move it on, or the next practice submitted would reuse an id.
            await (await session.connection()).execute(text(
                "SELECT setval(pg_get_serial_sequence('practice', 'id'), max(id)) FROM practice"))
    if recognitions:
        await session.exec(insert(Recognition), params=list(recognitions))


async def bulk_insert_feedback(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Many feedback in one statement (the console's benchmark: 50,000 in one province)."""
    if rows:
        await session.exec(insert(Feedback), params=list(rows))


async def add_person(session: AsyncSession, *, display_name: str, role: str,
                     now: datetime) -> Person:
    """A person with no channel account (a demo voter, an official in a fixture)."""
    person = Person(display_name=display_name, role=role, created_at=now)
    session.add(person)
    await session.flush()
    return person
