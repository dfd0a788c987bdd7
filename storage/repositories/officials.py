"""Officials, their jurisdiction (scope), and who is responsible for an item.

A `Scope` answers both questions the officials' side asks: "may this official touch that item?"
(in Python, on one loaded row) and "which items may this official see?" (as a SQL condition), so
the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import MAX_ID, ChannelAccount, Feedback, Level, Person, Practice, Role, id_of
from storage.repositories import console_sessions

OFFICIAL_ROLES = (Role.OFFICIAL, Role.ADMIN)


@dataclass(frozen=True)
class Scope:
    """Where an official may act: their commune, every commune of their province, or all."""

    level: str
    unit_code: str | None

    def covers_feedback(self, feedback: Feedback) -> bool:
        if self.level == Level.CENTRAL:
            return True
        if self.level == Level.PROVINCE:
            return feedback.assigned_province_code == self.unit_code
        return feedback.assigned_unit_code == self.unit_code

    def covers_practice(self, practice: Practice) -> bool:
        if self.level == Level.CENTRAL:
            return True
        if self.level == Level.PROVINCE:
            return practice.province_code == self.unit_code
        return practice.commune_code == self.unit_code

    def feedback_clause(self) -> Any:
        if self.level == Level.CENTRAL:
            return true()
        if self.level == Level.PROVINCE:
            return col(Feedback.assigned_province_code) == self.unit_code
        return col(Feedback.assigned_unit_code) == self.unit_code

    def practice_clause(self) -> Any:
        if self.level == Level.CENTRAL:
            return true()
        if self.level == Level.PROVINCE:
            return col(Practice.province_code) == self.unit_code
        return col(Practice.commune_code) == self.unit_code


def scope_of(person: Person) -> Scope | None:
    """The official's scope, or None for anyone who is not a (complete) official."""
    if person.role not in OFFICIAL_ROLES or person.level not in tuple(Level):
        return None
    if person.level != Level.CENTRAL and not person.unit_code:
        return None
    return Scope(person.level, person.unit_code if person.level != Level.CENTRAL else None)


def _path(unit_code: str, province_code: str) -> tuple[tuple[str | None, str | None], ...]:
    """The levels an item of `unit_code` climbs, nearest first: (level, code) pairs, None
    standing for the unit's own officials. An item forwarded to the province itself starts at
    the province: its "own officials" are the province's, and the next level up is central."""
    above = ((Level.PROVINCE, province_code), (Level.CENTRAL, None))
    return above if unit_code == province_code else ((None, unit_code), *above)


async def _officials_at(session: AsyncSession, level: str | None,
                        code: str | None) -> Sequence[Person]:
    query = select(Person).where(col(Person.role).in_(OFFICIAL_ROLES))
    if level is None:
        query = query.where(Person.unit_code == code)
    elif level == Level.PROVINCE:
        query = query.where(Person.level == Level.PROVINCE, Person.unit_code == code)
    else:
        query = query.where(Person.level == Level.CENTRAL)
    return (await session.exec(query.order_by(col(Person.id)))).all()


async def officials_of_level(session: AsyncSession, *, level: str,
                             unit_code: str | None) -> Sequence[Person]:
    """The officials of one level: a province's (`unit_code`) or the central level's."""
    return await _officials_at(session, level, unit_code)


async def responsible_officials(
    session: AsyncSession, *, unit_code: str, province_code: str
) -> Sequence[Person]:
    """Who answers for an item of `unit_code`: its own officials; if it has none, the province's;
    failing that, the central level's."""
    for level, code in _path(unit_code, province_code):
        found = await _officials_at(session, level, code)
        if found:
            return found
    return []


async def officials_above(
    session: AsyncSession, *, unit_code: str, province_code: str
) -> tuple[str | None, Sequence[Person]]:
    """The next level up from whoever answers for an item (see `responsible_officials`), and its
    officials: the province's above the commune's (the central level's if the province has
    none), the central level's above the province's. (None, []) when the central level itself
    answers for it, or nobody does."""
    answered = False
    for level, code in _path(unit_code, province_code):
        found = await _officials_at(session, level, code)
        if answered and found:
            return level, found
        answered = answered or bool(found)
    return None, []


async def people_by_id(session: AsyncSession, ids: Sequence[int | None]) -> dict[int, Person]:
    """The people behind ids (officials named in a history), in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    found = await session.exec(select(Person).where(col(Person.id).in_(wanted)))
    return {id_of(person): person for person in found.all()}


async def list_officials(
    session: AsyncSession, *, unit_code: str | None = None
) -> Sequence[tuple[Person, Sequence[ChannelAccount]]]:
    query = select(Person).where(col(Person.role).in_(OFFICIAL_ROLES))
    if unit_code:
        query = query.where(Person.unit_code == unit_code)
    # Central officials (no unit) first on every database: SQLite sorts NULL first by itself,
    # PostgreSQL last.
    people = (await session.exec(
        query.order_by(col(Person.unit_code).nulls_first(), col(Person.id)))).all()
    listed = []
    for person in people:
        accounts = (await session.exec(
            select(ChannelAccount).where(ChannelAccount.person_id == person.id))).all()
        listed.append((person, accounts))
    return listed


async def make_official(session: AsyncSession, *, person: Person, role: str, level: str,
                        unit_code: str | None) -> None:
    person.role = role
    person.level = level
    person.unit_code = unit_code
    session.add(person)
    await session.flush()


async def remove_official(session: AsyncSession, *, person_id: int) -> Person | None:
    """Make an official a citizen again; None if there is no such official."""
    person = await session.get(Person, person_id) if person_id <= MAX_ID else None
    if person is None or person.role not in OFFICIAL_ROLES:
        return None
    person.role, person.level, person.unit_code = Role.CITIZEN, None, None
    session.add(person)
    await console_sessions.end_sessions_of(session, person_id=person_id)
    await session.flush()
    return person
