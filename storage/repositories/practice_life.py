"""A practice's life after approval: updates its people add (checked by an official before the
public sees them), the collectives that adopted it ("nhân rộng"), and the feedback its
mobilisation resolved. What the public may read of these is in `public_map`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    MAX_ID,
    Feedback,
    PracticeReplication,
    PracticeUpdate,
    PracticeUpdatePhoto,
    PracticeUpdateStatus,
    PracticeVideo,
)

# -- updates --------------------------------------------------------------------------------


async def add_update(session: AsyncSession, *, practice_id: int, author_id: int, text: str,
                     photos: Sequence[dict[str, Any]], video: dict[str, Any] | None,
                     status: str, now: datetime) -> PracticeUpdate:
    update = PracticeUpdate(practice_id=practice_id, author_id=author_id, text=text,
                            status=status, created_at=now,
                            reviewed_by=author_id if status != PracticeUpdateStatus.PENDING
                            else None,
                            reviewed_at=now if status != PracticeUpdateStatus.PENDING else None)
    session.add(update)
    await session.flush()
    assert update.id is not None
    for position, photo in enumerate(photos):
        session.add(PracticeUpdatePhoto(update_id=update.id, position=position, **photo))
    if video:
        session.add(PracticeVideo(practice_id=practice_id, update_id=update.id, **video))
    await session.flush()
    return update


async def get_update(session: AsyncSession, update_id: int) -> PracticeUpdate | None:
    return await session.get(PracticeUpdate, update_id) if 0 < update_id <= MAX_ID else None


async def media_of_update(session: AsyncSession, update_id: int
                          ) -> tuple[Sequence[PracticeUpdatePhoto], PracticeVideo | None]:
    photos = (await session.exec(select(PracticeUpdatePhoto)
                                 .where(PracticeUpdatePhoto.update_id == update_id)
                                 .order_by(col(PracticeUpdatePhoto.position)))).all()
    video = (await session.exec(select(PracticeVideo)
                                .where(PracticeVideo.update_id == update_id))).first()
    return photos, video


async def decide_update(session: AsyncSession, *, update: PracticeUpdate, status: str,
                        by: int, now: datetime) -> None:
    update.status, update.reviewed_by, update.reviewed_at = status, by, now
    session.add(update)
    await session.flush()


async def updates_of(session: AsyncSession, practice_id: int, *,
                     status: str | None = None) -> Sequence[PracticeUpdate]:
    query = select(PracticeUpdate).where(PracticeUpdate.practice_id == practice_id)
    if status is not None:
        query = query.where(PracticeUpdate.status == status)
    return (await session.exec(query.order_by(col(PracticeUpdate.created_at),
                                              col(PracticeUpdate.id)))).all()


# -- replication ----------------------------------------------------------------------------


async def declare_replication(session: AsyncSession, *, practice_id: int, person_id: int,
                              collective_name: str, commune_code: str, province_code: str,
                              now: datetime) -> tuple[PracticeReplication, bool]:
    """Record that a person's collective adopted a practice; True when it replaced the
    person's earlier declaration for it."""
    row = (await session.exec(select(PracticeReplication).where(
        PracticeReplication.practice_id == practice_id,
        PracticeReplication.person_id == person_id))).first()
    replaced = row is not None
    if row is None:
        row = PracticeReplication(practice_id=practice_id, person_id=person_id,
                                  collective_name=collective_name, commune_code=commune_code,
                                  province_code=province_code, created_at=now)
    else:
        row.collective_name, row.commune_code = collective_name, commune_code
        row.province_code, row.created_at = province_code, now
    session.add(row)
    await session.flush()
    return row, replaced


async def replication_count(session: AsyncSession, practice_id: int) -> int:
    """How many collectives the public sees: a hidden declaration is not counted."""
    rows = await session.exec(select(PracticeReplication.id)
                              .where(PracticeReplication.practice_id == practice_id,
                                     col(PracticeReplication.hidden_at).is_(None)))
    return len(rows.all())


async def replications_of(session: AsyncSession, practice_id: int
                          ) -> Sequence[PracticeReplication]:
    """Every declaration for a practice, hidden ones too (what its officials review), newest
    first."""
    return (await session.exec(
        select(PracticeReplication).where(PracticeReplication.practice_id == practice_id)
        .order_by(col(PracticeReplication.created_at).desc(),
                  col(PracticeReplication.id).desc()))).all()


async def get_replication(session: AsyncSession, replication_id: int
                          ) -> PracticeReplication | None:
    return (await session.get(PracticeReplication, replication_id)
            if 0 < replication_id <= MAX_ID else None)


async def set_replication_hidden(session: AsyncSession, *, row: PracticeReplication,
                                 hidden: bool, by: int, now: datetime) -> None:
    """Hide a declaration from the public (who and when are kept), or show it again."""
    row.hidden_at, row.hidden_by = (now, by) if hidden else (None, None)
    session.add(row)
    await session.flush()


# -- feedback resolved by a practice --------------------------------------------------------


async def link_feedback(session: AsyncSession, *, feedback: Feedback,
                        practice_id: int | None) -> None:
    feedback.resolved_by_practice_id = practice_id
    session.add(feedback)
    await session.flush()
