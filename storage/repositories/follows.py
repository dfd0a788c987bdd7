"""Who follows which commune or province (/theodoi), and what a weekly digest of a unit holds:
its practices approved or recognised in the week, with their first photo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    PUBLIC_PRACTICE_STATUSES,
    Channel,
    ChannelAccount,
    Follow,
    Level,
    Practice,
    PracticeEvent,
    PracticeEventKind,
    PracticePhoto,
)
from storage.repositories.officials import Scope


async def follow(session: AsyncSession, *, person_id: int, unit_code: str,
                 province_code: str, now: datetime) -> bool:
    """Follow a unit; False if the person already follows it."""
    if await _find(session, person_id, unit_code) is not None:
        return False
    session.add(Follow(person_id=person_id, unit_code=unit_code, province_code=province_code,
                       created_at=now))
    await session.flush()
    return True


async def unfollow(session: AsyncSession, *, person_id: int, unit_code: str) -> bool:
    """Stop following; False if the person did not follow it."""
    row = await _find(session, person_id, unit_code)
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True


async def _find(session: AsyncSession, person_id: int, unit_code: str) -> Follow | None:
    result = await session.exec(select(Follow).where(
        Follow.person_id == person_id, Follow.unit_code == unit_code))
    return result.first()


async def of_person(session: AsyncSession, *, person_id: int) -> Sequence[Follow]:
    result = await session.exec(select(Follow).where(Follow.person_id == person_id)
                                .order_by(col(Follow.id)))
    return result.all()


def _scope_clause(scope: Scope) -> Any:
    if scope.level == Level.CENTRAL:
        return true()
    if scope.level == Level.PROVINCE:
        return col(Follow.province_code) == scope.unit_code
    return col(Follow.unit_code) == scope.unit_code


async def count_in_scope(session: AsyncSession, *, scope: Scope) -> tuple[int, dict[str, int]]:
    """People following any unit of the jurisdiction, and followers per unit (most first)."""
    people = await session.exec(select(func.count(func.distinct(Follow.person_id)))
                                .where(_scope_clause(scope)))
    rows = await session.exec(
        select(Follow.unit_code, func.count()).where(_scope_clause(scope))
        .group_by(col(Follow.unit_code)).order_by(func.count().desc(), col(Follow.unit_code)))
    return int(people.one() or 0), {code: int(count) for code, count in rows.all()}


async def followers_in_scope(session: AsyncSession, *, scope: Scope) -> list[int]:
    """The people following the jurisdiction or any unit in it, each once."""
    result = await session.exec(select(Follow.person_id).where(_scope_clause(scope))
                                .distinct().order_by(col(Follow.person_id)))
    return list(result.all())


async def all_follows(session: AsyncSession) -> Sequence[Follow]:
    result = await session.exec(select(Follow).order_by(col(Follow.person_id), col(Follow.id)))
    return result.all()


async def reachable(session: AsyncSession, *, person_ids: Iterable[int],
                    oa_seen_since: datetime) -> set[int]:
    """Of these people, those the bot may write to on its own: an active account on a channel
    without a window, or a Zalo OA account they used since `oa_seen_since` (the OA's 7 days)."""
    wanted = list(set(person_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 500):
        result = await session.exec(select(ChannelAccount.person_id).where(
            col(ChannelAccount.person_id).in_(wanted[start:start + 500]),
            col(ChannelAccount.active).is_(True),
            or_(col(ChannelAccount.channel) != Channel.ZALO_OA,
                col(ChannelAccount.last_seen_at) >= oa_seen_since)).distinct())
        found.update(result.all())
    return found


@dataclass(frozen=True)
class DigestItem:
    practice: Practice
    event: str
    """`approved` or `recognised`: what happened to it in the week."""
    photo: PracticePhoto | None


async def newly_public(session: AsyncSession, *, since: datetime,
                       until: datetime) -> list[DigestItem]:
    """Practices approved or recognised in [since, until) and public still, newest first,
    each once (recognised wins over approved)."""
    result = await session.exec(
        select(PracticeEvent.kind, Practice)
        .join(Practice, col(Practice.id) == col(PracticeEvent.practice_id))
        .where(col(PracticeEvent.kind).in_([PracticeEventKind.APPROVED,
                                            PracticeEventKind.RECOGNISED]),
               col(PracticeEvent.created_at) >= since, col(PracticeEvent.created_at) < until,
               col(Practice.status).in_(PUBLIC_PRACTICE_STATUSES))
        .order_by(col(PracticeEvent.created_at).desc(), col(PracticeEvent.id).desc()))
    kinds: dict[int, tuple[str, Practice]] = {}
    for kind, practice in result.all():
        assert practice.id is not None
        if practice.id not in kinds or kind == PracticeEventKind.RECOGNISED:
            kinds[practice.id] = (kind, practice)
    photos = await session.exec(select(PracticePhoto).where(
        col(PracticePhoto.practice_id).in_(list(kinds)))
        .order_by(col(PracticePhoto.position), col(PracticePhoto.id)))
    first: dict[int, PracticePhoto] = {}
    for photo in photos.all():
        first.setdefault(photo.practice_id, photo)
    return [DigestItem(practice, kind, first.get(pid)) for pid, (kind, practice) in kinds.items()]
