"""Web chat sessions the server issued: a session is a web `ChannelAccount` keyed by the hash of
its cookie token, so a token the server never issued names no account.

A session's token is replaced (`rekey`) when it gains rights, so a token someone planted in a
browser, or read before, stops naming the person once they are an official or linked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import Channel, ChannelAccount, WebNotice


async def is_issued(session: AsyncSession, *, chat_id: str, used_since: datetime) -> bool:
    """True when `chat_id` (a token's hash) is a session this server issued and that was used
    since `used_since` (the cookie's lifetime counts from the latest action)."""
    found = (await session.exec(
        select(ChannelAccount.id)
        .where(ChannelAccount.channel == Channel.WEB, ChannelAccount.external_id == chat_id,
               col(ChannelAccount.last_seen_at) >= used_since))).first()
    return found is not None


async def rekey(session: AsyncSession, *, old_chat_id: str, new_chat_id: str) -> bool:
    """Move the web session `old_chat_id` (account and waiting notices) to `new_chat_id`;
    False when there is no such session."""
    moved = await session.exec(
        update(ChannelAccount)
        .where(col(ChannelAccount.channel) == Channel.WEB,
               col(ChannelAccount.external_id) == old_chat_id)
        .values(external_id=new_chat_id, chat_id=new_chat_id))
    await session.exec(
        update(WebNotice).where(col(WebNotice.chat_id) == old_chat_id)
        .values(chat_id=new_chat_id))
    return moved.rowcount > 0


class WebSessionStore:
    """The web chat's sessions, each call in its own transaction: what the web chat needs
    (`bot.webchat.stores.SessionStore`), handed to it by the composition root."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def is_issued(self, *, chat_id: str, used_since: datetime) -> bool:
        async with self.db.reading() as session:
            return await is_issued(session, chat_id=chat_id, used_since=used_since)

    async def rekey(self, *, old_chat_id: str, new_chat_id: str) -> bool:
        async with self.db.session() as session:
            moved = await rekey(session, old_chat_id=old_chat_id, new_chat_id=new_chat_id)
            await session.commit()
        return moved
