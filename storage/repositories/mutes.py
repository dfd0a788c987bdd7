"""Mutes: an official stops the sender of a feedback from sending new feedback for some days
(handlers/officials/mute.py). `Person.muted_until` mirrors the latest end of the person's
active mutes, so the check on every turn reads no more rows; this module keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AccountMute, Person


async def mute(session: AsyncSession, *, person: Person, feedback_id: int | None,
               muted_by: int | None, reason: str, now: datetime,
               ends_at: datetime) -> AccountMute:
    assert person.id is not None
    row = AccountMute(person_id=person.id, feedback_id=feedback_id, muted_by=muted_by,
                      reason=reason[:500], starts_at=now, ends_at=ends_at)
    session.add(row)
    await session.flush()
    await _sync(session, person, now)
    return row


async def active_of(session: AsyncSession, *, person_id: int,
                    now: datetime) -> Sequence[AccountMute]:
    """The person's mutes in force at `now`, the longest last."""
    result = await session.exec(select(AccountMute).where(
        AccountMute.person_id == person_id, col(AccountMute.lifted_at).is_(None),
        col(AccountMute.starts_at) <= now, col(AccountMute.ends_at) > now)
        .order_by(col(AccountMute.ends_at), col(AccountMute.id)))
    return result.all()


async def lift(session: AsyncSession, *, person: Person, mutes: Sequence[AccountMute],
               lifted_by: int | None, now: datetime) -> None:
    for row in mutes:
        row.lifted_at, row.lifted_by = now, lifted_by
        session.add(row)
    await session.flush()
    await _sync(session, person, now)


async def untold(session: AsyncSession, *, person_id: int,
                 now: datetime) -> Sequence[AccountMute]:
    """Active mutes the person has not been told of yet."""
    return [m for m in await active_of(session, person_id=person_id, now=now)
            if m.told_at is None]


def mark_told(session: AsyncSession, mutes: Sequence[AccountMute], now: datetime) -> None:
    for row in mutes:
        row.told_at = now
        session.add(row)


async def _sync(session: AsyncSession, person: Person, now: datetime) -> None:
    active = await active_of(session, person_id=person.id or 0, now=now)
    person.muted_until = max((m.ends_at for m in active), default=None)
    session.add(person)
    await session.flush()
