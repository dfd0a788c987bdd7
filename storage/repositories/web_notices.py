"""Notices for web chats: stored when the outbox delivers them, read by the chat's page.

A page acknowledges what it has shown by the highest notice id it has on screen; one chat's
notices are stored in the order the outbox sends them (one at a time per chat), so every
notice up to that id has been shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import MAX_ID, Channel, ChannelAccount, WebNotice


async def session_last_used_at(session: AsyncSession, *, chat_id: str) -> datetime | None:
    """When the web chat `chat_id` last did something (its browser cookie's lifetime counts
    from then, to the few minutes `people.refresh_account` rounds to)."""
    result = await session.exec(
        select(ChannelAccount.last_seen_at)
        .where(ChannelAccount.channel == Channel.WEB, ChannelAccount.chat_id == chat_id))
    return result.first()


async def add_notice(session: AsyncSession, *, chat_id: str, payload: list[dict[str, Any]],
                     now: datetime) -> WebNotice:
    notice = WebNotice(chat_id=chat_id, payload=payload, created_at=now)
    session.add(notice)
    await session.flush()
    return notice


async def mark_seen(session: AsyncSession, *, chat_id: str, up_to: int, now: datetime) -> None:
    """The chat's page has shown every notice up to id `up_to`."""
    await session.exec(
        update(WebNotice)
        .where(col(WebNotice.chat_id) == chat_id, col(WebNotice.id) <= min(up_to, MAX_ID),
               col(WebNotice.seen_at).is_(None))
        .values(seen_at=now))


async def unseen(session: AsyncSession, *, chat_id: str, limit: int) -> Sequence[WebNotice]:
    """The chat's notices its page has not shown yet, oldest first."""
    result = await session.exec(
        select(WebNotice)
        .where(WebNotice.chat_id == chat_id, col(WebNotice.seen_at).is_(None))
        .order_by(col(WebNotice.id))
        .limit(limit))
    return result.all()


async def forget(session: AsyncSession, *, seen_before: datetime, created_before: datetime,
                 limit: int) -> int:
    """Delete up to `limit` notices shown before `seen_before`, or stored before
    `created_before` (no page can fetch those any more); returns how many."""
    stale = (select(WebNotice.id)
             .where(or_(col(WebNotice.seen_at) < seen_before,
                        col(WebNotice.created_at) < created_before))
             .limit(limit))
    result = await session.exec(delete(WebNotice).where(col(WebNotice.id).in_(stale)))
    return result.rowcount


class WebNoticeStore:
    """The web chat's notices, each call in its own committed transaction: what the web chat
    needs (`bot.webchat.stores.NoticeStore`), handed to it by the composition root."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def session_last_used_at(self, *, chat_id: str) -> datetime | None:
        async with self.db.session() as session:
            return await session_last_used_at(session, chat_id=chat_id)

    async def add_notice(self, *, chat_id: str, payload: list[dict[str, Any]],
                         now: datetime) -> None:
        async with self.db.session() as session:
            await add_notice(session, chat_id=chat_id, payload=payload, now=now)
            await session.commit()

    async def unseen(self, *, chat_id: str, limit: int) -> Sequence[WebNotice]:
        async with self.db.session() as session:
            return await unseen(session, chat_id=chat_id, limit=limit)

    async def mark_seen(self, *, chat_id: str, up_to: int, now: datetime) -> None:
        async with self.db.session() as session:
            await mark_seen(session, chat_id=chat_id, up_to=up_to, now=now)
            await session.commit()
