"""Sign-in links and sessions of the officials' web console. Both are stored by the hash of
their token only (`token_hash`), so a copy of the database opens nothing.

A link is redeemed with one conditional UPDATE (unused, unexpired), so two browsers racing
with the same link cannot both sign in. A session is only ever read together with its person,
so the caller re-checks the role on every request; `end_sessions_of` is called when a role is
removed (`officials.remove_official`)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ConsoleSession, ConsoleSignInLink, Person


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_link(session: AsyncSession, *, person_id: int, token: str, now: datetime,
                      lifetime: timedelta) -> ConsoleSignInLink:
    link = ConsoleSignInLink(token_hash=token_hash(token), person_id=person_id, created_at=now,
                             expires_at=now + lifetime)
    session.add(link)
    await session.flush()
    return link


async def redeem_link(session: AsyncSession, *, token: str, now: datetime) -> int | None:
    """The person the link signs in, marking it used; None when it is unknown, used or
    expired."""
    hashed = token_hash(token)
    used = await session.exec(
        update(ConsoleSignInLink)
        .where(col(ConsoleSignInLink.token_hash) == hashed,
               col(ConsoleSignInLink.used_at).is_(None),
               col(ConsoleSignInLink.expires_at) > now)
        .values(used_at=now))
    if used.rowcount != 1:
        return None
    return (await session.exec(select(ConsoleSignInLink.person_id).where(
        ConsoleSignInLink.token_hash == hashed))).one()


async def start_session(session: AsyncSession, *, person_id: int, token: str,
                        now: datetime) -> ConsoleSession:
    row = ConsoleSession(token_hash=token_hash(token), person_id=person_id, created_at=now,
                         last_seen_at=now)
    session.add(row)
    await session.flush()
    return row


async def live_session(session: AsyncSession, *, token: str, now: datetime, idle: timedelta,
                       longest: timedelta) -> tuple[ConsoleSession, Person] | None:
    """The session the token names and its person, if it was used within `idle` and began
    within `longest`; a stale one is deleted on the way."""
    found = (await session.exec(
        select(ConsoleSession, Person).join(Person, col(Person.id) == ConsoleSession.person_id)
        .where(ConsoleSession.token_hash == token_hash(token)))).first()
    if found is None:
        return None
    row, person = found
    if _aware(row.last_seen_at) <= now - idle or _aware(row.created_at) <= now - longest:
        await session.delete(row)
        await session.flush()
        return None
    return row, person


async def touch(session: AsyncSession, row: ConsoleSession, *, now: datetime) -> None:
    row.last_seen_at = now
    session.add(row)
    await session.flush()


async def end_session(session: AsyncSession, *, token: str) -> None:
    await session.exec(delete(ConsoleSession).where(
        col(ConsoleSession.token_hash) == token_hash(token)))


async def end_sessions_of(session: AsyncSession, *, person_id: int) -> int:
    """End every console session (and unused link) of a person; how many sessions ended."""
    ended = await session.exec(delete(ConsoleSession).where(
        col(ConsoleSession.person_id) == person_id))
    await session.exec(delete(ConsoleSignInLink).where(
        col(ConsoleSignInLink.person_id) == person_id,
        col(ConsoleSignInLink.used_at).is_(None)))
    return ended.rowcount


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def link_of(session: AsyncSession, *, token: str) -> ConsoleSignInLink | None:
    """The link a token names (to show its page without using it up)."""
    return (await session.exec(select(ConsoleSignInLink).where(
        ConsoleSignInLink.token_hash == token_hash(token)))).first()


async def person_of(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)
