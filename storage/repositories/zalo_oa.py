"""Zalo Official Account: the OAuth pair (one row per app), and what the OA channel asks about
the people it writes to.

Every change to the pair is one UPDATE, so the single-use refresh token is never stored apart
from the access token it came with, and a refresh claims the row's generation before it calls
Zalo (compare-and-swap), so two processes never spend the same refresh token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import (
    Channel,
    ChannelAccount,
    OutboxMessage,
    OutboxStatus,
    Person,
    ZaloOAToken,
    stored_ids,
)


async def load_token(session: AsyncSession, *, app_id: str) -> ZaloOAToken | None:
    return (await session.exec(select(ZaloOAToken).where(ZaloOAToken.app_id == app_id))).first()


async def seed_refresh_token(session: AsyncSession, *, app_id: str, refresh_token: str,
                             seed_hash: str, now: datetime) -> None:
    """Start from a refresh token the operator configured (no access token yet)."""
    row = await load_token(session, app_id=app_id)
    if row is None:
        session.add(ZaloOAToken(app_id=app_id, refresh_token=refresh_token, seed_hash=seed_hash,
                                generation=1, updated_at=now))
        await session.flush()
        return
    await session.exec(
        update(ZaloOAToken).where(col(ZaloOAToken.app_id) == app_id).values(
            access_token="", access_expires_at=None, refresh_token=refresh_token,
            refresh_expires_at=None, seed_hash=seed_hash, generation=ZaloOAToken.generation + 1,
            lease_owner=None, lease_until=None, problem=None, problem_at=None, updated_at=now))


async def store_pair(session: AsyncSession, *, app_id: str, access_token: str,
                     refresh_token: str, access_expires_at: datetime,
                     refresh_expires_at: datetime | None, now: datetime) -> None:
    """A new pair from Zalo (a refresh or a first grant), both tokens in one statement."""
    values: dict[str, Any] = dict(access_token=access_token, refresh_token=refresh_token,
                                  access_expires_at=access_expires_at,
                                  refresh_expires_at=refresh_expires_at, lease_owner=None,
                                  lease_until=None, problem=None, problem_at=None,
                                  refreshed_at=now, updated_at=now)
    result = await session.exec(
        update(ZaloOAToken).where(col(ZaloOAToken.app_id) == app_id)
        .values(generation=ZaloOAToken.generation + 1, **values))
    if not result.rowcount:
        session.add(ZaloOAToken(app_id=app_id, generation=1, **values))
        await session.flush()


async def claim_refresh(session: AsyncSession, *, app_id: str, generation: int, owner: str,
                        until: datetime, now: datetime) -> bool:
    """Take the right to spend the current refresh token, if nobody changed the pair since
    `generation` was read and no other refresh is running. True if taken."""
    result = await session.exec(
        update(ZaloOAToken)
        .where(col(ZaloOAToken.app_id) == app_id, col(ZaloOAToken.generation) == generation,
               or_(col(ZaloOAToken.lease_until).is_(None), col(ZaloOAToken.lease_until) <= now,
                   col(ZaloOAToken.lease_owner) == owner))
        .values(lease_owner=owner, lease_until=until))
    return bool(result.rowcount)


async def release_refresh(session: AsyncSession, *, app_id: str, owner: str,
                          problem: str | None = None, now: datetime | None = None) -> None:
    """End a refresh that brought no new pair; `problem` says why Zalo refused it."""
    values: dict[str, object] = {"lease_owner": None, "lease_until": None}
    if problem is not None:
        values |= {"problem": problem[:500], "problem_at": now}
    await session.exec(
        update(ZaloOAToken)
        .where(col(ZaloOAToken.app_id) == app_id, col(ZaloOAToken.lease_owner) == owner)
        .values(**values))


class ZaloOATokenStore:
    """The functions above, each in its own committed transaction: what the OA channel's token
    manager needs (`bot.zalo_oa.tokens.TokenStore`), handed to it by the composition root."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load_token(self, *, app_id: str) -> ZaloOAToken | None:
        async with self.db.session() as session:
            row = await load_token(session, app_id=app_id)
            await session.commit()
        return row

    async def seed_refresh_token(self, *, app_id: str, refresh_token: str, seed_hash: str,
                                 now: datetime) -> None:
        async with self.db.session() as session:
            await seed_refresh_token(session, app_id=app_id, refresh_token=refresh_token,
                                     seed_hash=seed_hash, now=now)
            await session.commit()

    async def store_pair(self, *, app_id: str, access_token: str, refresh_token: str,
                         access_expires_at: datetime, refresh_expires_at: datetime | None,
                         now: datetime) -> None:
        async with self.db.session() as session:
            await store_pair(session, app_id=app_id, access_token=access_token,
                             refresh_token=refresh_token, access_expires_at=access_expires_at,
                             refresh_expires_at=refresh_expires_at, now=now)
            await session.commit()

    async def claim_refresh(self, *, app_id: str, generation: int, owner: str,
                            until: datetime, now: datetime) -> bool:
        async with self.db.session() as session:
            claimed = await claim_refresh(session, app_id=app_id, generation=generation,
                                          owner=owner, until=until, now=now)
            await session.commit()
        return claimed

    async def release_refresh(self, *, app_id: str, owner: str, problem: str | None = None,
                              now: datetime | None = None) -> None:
        async with self.db.session() as session:
            await release_refresh(session, app_id=app_id, owner=owner, problem=problem, now=now)
            await session.commit()


# -- the people the OA writes to -------------------------------------------------------------


async def oa_recipient(session: AsyncSession, *,
                       user_id: str) -> tuple[ChannelAccount, Person] | None:
    """The OA account of a Zalo user (the id Zalo gave them for this OA) and its person."""
    row = (await session.exec(
        select(ChannelAccount, Person).join(Person, col(Person.id) == ChannelAccount.person_id)
        .where(ChannelAccount.channel == Channel.ZALO_OA, ChannelAccount.external_id == user_id)
    )).first()
    return (row[0], row[1]) if row else None


# -- messages waiting for the person to write (the OA's 7-day window) --------------------------


async def release_awaiting(session: AsyncSession, *, now: datetime) -> list[int]:
    """Messages kept `awaiting_contact` whose person has written since (on any channel): due
    again now. While waiting, `not_before` holds the instant the wait began. Returns their ids.
    Reads first, so a pass with nothing to release writes nothing."""
    written = exists().where(col(ChannelAccount.person_id) == OutboxMessage.person_id,
                             col(ChannelAccount.active) == True,  # noqa: E712
                             col(ChannelAccount.last_seen_at) > col(OutboxMessage.not_before))
    ids = stored_ids((await session.exec(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.AWAITING_CONTACT, written))).all())
    if ids:
        await session.exec(
            update(OutboxMessage).where(col(OutboxMessage.id).in_(ids))
            .values(status=OutboxStatus.PENDING, not_before=now, attempts=0))
    return ids
