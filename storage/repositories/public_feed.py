"""The press feed's one query: practices as they are recognised, newest first (issue 17, item
5). Like every public query (public_map.py) it returns a public shape, never table rows: no
submitter, no individual's name, no raw answers."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PUBLIC_PRACTICE_STATUSES, Practice, PracticePhoto, Recognition
from storage.public_shapes import RecognisedItem

PUBLIC_STATUSES = tuple(str(status) for status in PUBLIC_PRACTICE_STATUSES)


async def recent_recognitions(session: AsyncSession, *, province_code: str | None = None,
                              limit: int = 50) -> list[RecognisedItem]:
    """One entry per recognition (a practice recognised by the commune and later by the
    province is news twice), newest first."""
    query = (
        select(Recognition, Practice)
        .join(Practice, col(Practice.id) == col(Recognition.practice_id))
        .where(col(Practice.status).in_(PUBLIC_STATUSES))
        .order_by(col(Recognition.recognised_at).desc(), col(Recognition.id).desc())
        .limit(limit)
    )
    if province_code is not None:
        query = query.where(col(Practice.province_code) == province_code)
    rows = (await session.exec(query)).all()
    first_photos = await _first_photos(session, {p.id for _, p in rows if p.id is not None})
    return [
        RecognisedItem(
            recognition_id=r.id or 0, level=r.level, unit_code=r.unit_code,
            recognised_at=r.recognised_at, code=p.code or "", title=p.title,
            description=p.description, field=p.field,
            collective_name=p.submitter_name if p.submitter_kind == "collective" else None,
            village=p.village, commune_code=p.commune_code, province_code=p.province_code,
            photo_id=first_photos.get(p.id or 0))
        for r, p in rows
    ]


async def _first_photos(session: AsyncSession, practice_ids: set[int]) -> dict[int, int]:
    if not practice_ids:
        return {}
    rows = (await session.exec(
        select(PracticePhoto.practice_id, PracticePhoto.id)
        .where(col(PracticePhoto.practice_id).in_(practice_ids))
        .order_by(col(PracticePhoto.position).desc(), col(PracticePhoto.id).desc())
    )).all()
    return {practice_id: photo_id for practice_id, photo_id in rows if photo_id is not None}
