"""Officials' announcements (handlers/officials/announce.py): the rows, who receives one, and
its outbox rows (``ann:<id>:p<person>``) queued, counted and withdrawn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    MAX_ID,
    Announcement,
    AnnouncementStatus,
    ChannelAccount,
    Feedback,
    Level,
    OutboxMessage,
    OutboxStatus,
    Practice,
    table_of,
)
from storage.repositories.follows import followers_in_scope
from storage.repositories.officials import Scope

WITHDRAWABLE = (OutboxStatus.PENDING, OutboxStatus.AWAITING_CONTACT)


def key_prefix(announcement_id: int) -> str:
    return f"ann:{announcement_id}:"


async def create(session: AsyncSession, *, announcement: Announcement) -> Announcement:
    session.add(announcement)
    await session.flush()
    return announcement


async def get(session: AsyncSession, announcement_id: int) -> Announcement | None:
    if announcement_id > MAX_ID:
        return None
    return await session.get(Announcement, announcement_id)


async def recent_in_scope(session: AsyncSession, *, scope: Scope,
                          limit: int = 5) -> Sequence[Announcement]:
    """The jurisdiction's latest sent (or cancelled) announcements, newest first."""
    query = select(Announcement).where(Announcement.status != AnnouncementStatus.DRAFT,
                                       Announcement.level == scope.level)
    if scope.level != Level.CENTRAL:
        query = query.where(Announcement.unit_code == scope.unit_code)
    result = await session.exec(query.order_by(col(Announcement.id).desc()).limit(limit))
    return result.all()


async def audience(session: AsyncSession, *, scope: Scope, everyone: bool,
                   exclude: int | None) -> list[int]:
    """Who an announcement of this jurisdiction reaches: its followers; with `everyone`, also
    whoever sent feedback or a practice there (centrally: everyone who wrote to the bot)."""
    people = set(await followers_in_scope(session, scope=scope))
    if everyone:
        if scope.level == Level.CENTRAL:
            rows = await session.exec(select(ChannelAccount.person_id).distinct())
            people.update(rows.all())
        else:
            feedback = await session.exec(select(Feedback.reporter_id).where(
                scope.feedback_clause()).distinct())
            practices = await session.exec(select(Practice.submitter_id).where(
                scope.practice_clause()).distinct())
            people.update(feedback.all())
            people.update(practices.all())
    people.discard(exclude)
    return sorted(people)


async def enqueue(session: AsyncSession, *, announcement: Announcement,
                  payload: dict[str, list[dict[str, Any]]], languages: dict[int, str],
                  reachable: set[int], now: datetime, not_before: datetime) -> int:
    """One outbox row per recipient (their language's payload), in the caller's transaction;
    those the bot may not write to now (Zalo OA's 7 days) are recorded skipped at once.
    Returns how many were queued."""
    assert announcement.id is not None
    prefix, queued = key_prefix(announcement.id), 0
    for person_id, language in languages.items():
        if person_id in reachable:
            session.add(OutboxMessage(
                idempotency_key=f"{prefix}p{person_id}", person_id=person_id,
                payload=payload[language], not_before=not_before, created_at=now,
                quiet_hours=True))
            queued += 1
        else:
            session.add(OutboxMessage(
                idempotency_key=f"{prefix}p{person_id}", person_id=person_id, payload=[],
                status=OutboxStatus.SKIPPED, not_before=now, created_at=now,
                last_error="outside Zalo OA's 7-day window or no active account"))
    await session.flush()
    return queued


async def progress(session: AsyncSession, *, announcement_id: int) -> dict[str, int]:
    """Its outbox rows by status."""
    result = await session.exec(
        select(OutboxMessage.status, func.count()).where(
            col(OutboxMessage.idempotency_key).startswith(key_prefix(announcement_id)))
        .group_by(col(OutboxMessage.status)))
    return {status: int(count) for status, count in result.all()}


async def cancel(session: AsyncSession, *, announcement: Announcement, now: datetime) -> int:
    """Withdraw every message of it not sent yet; returns how many. (One being sent this very
    moment still arrives.)"""
    assert announcement.id is not None
    table = table_of(OutboxMessage)
    result = await session.exec(
        update(table)
        .where(table.c.idempotency_key.startswith(key_prefix(announcement.id)),
               table.c.status.in_([str(s) for s in WITHDRAWABLE]))
        .values(status=OutboxStatus.SKIPPED, last_error="announcement cancelled"))
    announcement.status = AnnouncementStatus.CANCELLED
    announcement.cancelled_at = now
    session.add(announcement)
    await session.flush()
    return int(result.rowcount or 0)


async def languages_of(session: AsyncSession, *, person_ids: Sequence[int]) -> dict[int, str]:
    """Each person's language, in batches (an announcement may reach tens of thousands)."""
    from storage.models import Person

    found: dict[int, str] = {}
    for start in range(0, len(person_ids), 500):
        rows = await session.exec(select(Person.id, Person.language).where(
            col(Person.id).in_(list(person_ids[start:start + 500]))))
        found.update({pid: language for pid, language in rows.all() if pid is not None})
    return found
