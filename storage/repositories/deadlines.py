"""The evaluation calendar (deadlines) and who its reminders go to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import MAX_ID, Deadline, OutboxMessage, OutboxStatus, Person, Unit
from storage.repositories.officials import OFFICIAL_ROLES


async def active(session: AsyncSession) -> Sequence[Deadline]:
    result = await session.exec(
        select(Deadline).where(Deadline.active == True)  # noqa: E712
        .order_by(col(Deadline.due_date), col(Deadline.id))
    )
    return result.all()


async def get(session: AsyncSession, deadline_id: int) -> Deadline | None:
    return await session.get(Deadline, deadline_id) if deadline_id <= MAX_ID else None


async def upcoming(
    session: AsyncSession,
    *,
    scopes: Sequence[tuple[str, str | None]] | None,
    since: date,
    until: date,
    limit: int = 30,
) -> Sequence[Deadline]:
    """Active deadlines due in [since, until] for any of `scopes` ((level, scope code) pairs,
    scope None = the level's deadlines for every unit); `scopes` None means all deadlines."""
    query = (
        select(Deadline)
        .where(Deadline.active == True, Deadline.due_date >= since,  # noqa: E712
               Deadline.due_date <= until)
        .order_by(col(Deadline.due_date), col(Deadline.id))
        .limit(limit)
    )
    if scopes is not None:
        if not scopes:
            return []
        query = query.where(or_(*[
            (col(Deadline.level) == level) & (
                col(Deadline.scope_code).is_(None) if scope is None
                else Deadline.scope_code == scope)
            for level, scope in scopes
        ]))
    return (await session.exec(query)).all()


async def create(
    session: AsyncSession,
    *,
    level: str,
    scope_code: str | None,
    kind: str,
    title: str,
    due_date: date,
    created_by: int | None,
    now: datetime,
) -> Deadline:
    deadline = Deadline(level=level, scope_code=scope_code, kind=kind, title=title,
                        due_date=due_date, created_by=created_by, created_at=now, updated_at=now)
    session.add(deadline)
    await session.flush()
    return deadline


async def officials_in_scope(
    session: AsyncSession, *, level: str, scope_code: str | None
) -> Sequence[Person]:
    """The officials a deadline concerns: those of its level, in its scope (every unit, one
    province and its communes, or one unit)."""
    query = select(Person).where(col(Person.role).in_(OFFICIAL_ROLES), Person.level == level)
    if scope_code is not None:
        query = (
            query.join(Unit, col(Unit.code) == col(Person.unit_code))
            .where(or_(col(Unit.code) == scope_code, col(Unit.province_code) == scope_code))
        )
    return (await session.exec(query.order_by(col(Person.id)))).all()


async def cancel_scheduled(session: AsyncSession, *, deadline_id: int, reason: str) -> int:
    """Reminders of a deadline still waiting in the outbox are no longer right (it moved or
    was removed): skip them. Returns how many."""
    result = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.idempotency_key).startswith(f"deadline:{deadline_id}:"),
               col(OutboxMessage.status) == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SKIPPED, last_error=reason[:500])
    )
    return int(result.rowcount or 0)
