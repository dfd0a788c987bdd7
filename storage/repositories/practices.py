"""Practices (mô hình) and their photos."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Practice, PracticePhoto, PracticeVideo, id_of


async def create_practice(
    session: AsyncSession,
    *,
    practice: Practice,
    photos: Sequence[dict[str, Any]],
    year: int,
    video: dict[str, Any] | None = None,
) -> Practice:
    """Store a submitted practice with its photos (and video) and give it its receipt code."""
    session.add(practice)
    await session.flush()
    practice.code = f"MH-{year}-{practice.id:06d}"
    for position, photo in enumerate(photos):
        session.add(PracticePhoto(practice_id=id_of(practice), position=position, **photo))
    if video:
        session.add(PracticeVideo(practice_id=id_of(practice), **video))
    await session.flush()
    return practice


async def replace_video(session: AsyncSession, *, practice_id: int,
                        video: dict[str, Any] | None) -> None:
    """The practice's own video (not its updates'), replaced or removed on a resubmission."""
    await session.exec(delete(PracticeVideo).where(
        col(PracticeVideo.practice_id) == practice_id, col(PracticeVideo.update_id).is_(None)))
    if video:
        session.add(PracticeVideo(practice_id=practice_id, **video))
    await session.flush()


async def video_of(session: AsyncSession, practice_id: int) -> PracticeVideo | None:
    """The practice's own video, if one came with it."""
    return (await session.exec(select(PracticeVideo).where(
        PracticeVideo.practice_id == practice_id,
        col(PracticeVideo.update_id).is_(None)))).first()


async def list_for_submitter(
    session: AsyncSession, *, person_id: int, limit: int = 20
) -> Sequence[Practice]:
    result = await session.exec(
        select(Practice)
        .where(Practice.submitter_id == person_id)
        .order_by(col(Practice.id).desc())
        .limit(limit)
    )
    return result.all()


async def get_by_code(session: AsyncSession, code: str) -> Practice | None:
    return (await session.exec(select(Practice).where(Practice.code == code))).first()


async def photos_of(session: AsyncSession, practice_id: int) -> Sequence[PracticePhoto]:
    result = await session.exec(
        select(PracticePhoto)
        .where(PracticePhoto.practice_id == practice_id)
        .order_by(col(PracticePhoto.position))
    )
    return result.all()
