"""Notices for web chats: stored when the outbox delivers them, read by the chat's page.

A page acknowledges what it has shown by the highest notice id it has on screen; one chat's
notices are stored in the order the outbox sends them (one at a time per chat), so every
notice up to that id has been shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import MAX_ID, Channel, ChannelAccount, WebNotice

SESSION_LIFETIME = timedelta(days=30)
"""A web chat session (its cookie) lives this long from its latest action; the web chat sets
the cookie with it, and housekeeping forgets notices no page can show any more."""


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
