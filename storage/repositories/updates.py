"""Processed platform updates, so a redelivered update is handled once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate, table_of

_MARK = insert(table_of(ProcessedUpdate))


async def mark(session: AsyncSession, *, channel: str, update_id: str, now: datetime,
               answer: list[dict[str, Any]] | None = None) -> None:
    """Record the update as handled, in the rest of the update's transaction.

    If handling fails and rolls back, the update is not marked and a redelivery gets another
    chance; if two copies race, the primary key lets only one transaction commit (the other
    gets an IntegrityError here or at commit). A plain INSERT, built once: this runs on every
    update, and building an ORM object or a statement for it cost more than running it.
    """
    await session.exec(_MARK, params={"channel": channel, "update_id": update_id,
                                      "processed_at": now, "answer": answer})


async def keep_answer(session: AsyncSession, *, channel: str, update_id: str,
                      answer: list[dict[str, Any]]) -> None:
    """Keep the replies with the update's mark (claimed at the start of the turn), for a
    client that retries a request whose answer it lost."""
    await session.exec(update(ProcessedUpdate).where(
        col(ProcessedUpdate.channel) == channel, col(ProcessedUpdate.update_id) == update_id)
        .values(answer=answer))


async def answer_of(session: AsyncSession, *, channel: str,
                    update_id: str) -> list[dict[str, Any]] | None:
    """The answer kept with an update's mark (None: none kept, or forgotten)."""
    answer = (await session.exec(
        select(ProcessedUpdate.answer).where(ProcessedUpdate.channel == channel,
                                             ProcessedUpdate.update_id == update_id))).first()
    return list(answer) if answer else None


async def forget_answers_before(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Drop the kept answers of up to `limit` updates handled before `before`; their marks
    stay, so a late retry is still handled once (and answered with nothing)."""
    stale = (select(ProcessedUpdate.channel, ProcessedUpdate.update_id)
             .where(col(ProcessedUpdate.processed_at) < before,
                    col(ProcessedUpdate.answer).is_not(None))
             .limit(limit))
    result = await session.exec(
        update(ProcessedUpdate)
        .where(tuple_(col(ProcessedUpdate.channel), col(ProcessedUpdate.update_id)).in_(stale))
        .values(answer=None))
    return result.rowcount


_CLAIM = {name: dialect.insert(table_of(ProcessedUpdate))
          .on_conflict_do_nothing()
          for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


async def claim(session: AsyncSession, *, channel: str, update_id: str, now: datetime) -> bool:
    """Mark the update as handled first thing in the turn's transaction; False if another
    copy already was (then the turn does nothing).

    An insert rather than a look-up: under PostgreSQL's SERIALIZABLE, every turn reading the
    processed-update index and then inserting into it made unrelated chats' turns conflict
    (and run again) under load. If the turn fails and rolls back, the mark goes with it, so a
    redelivery gets another chance. Two copies at once: the second waits on the first's
    insert and finds it there."""
    result = await session.exec(_CLAIM[session.get_bind().dialect.name], params={
        "channel": channel, "update_id": update_id, "processed_at": now})
    return bool(result.rowcount)


async def forget_before(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` marks older than `before` (oldest first); returns how many.

    Platforms redeliver within hours, so old marks only slow the duplicate check down; a
    bounded batch keeps each transaction short, however much has piled up."""
    stale = (select(ProcessedUpdate.channel, ProcessedUpdate.update_id)
             .where(col(ProcessedUpdate.processed_at) < before)
             .order_by(col(ProcessedUpdate.processed_at))
             .limit(limit))
    result = await session.exec(
        delete(ProcessedUpdate)
        .where(tuple_(col(ProcessedUpdate.channel), col(ProcessedUpdate.update_id)).in_(stale)))
    return result.rowcount
