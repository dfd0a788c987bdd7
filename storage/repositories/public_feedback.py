"""Every query behind Open311's published feedback (bot/web/open311.py). Read-only.

Only feedback whose sender chose to publish it (`Feedback.publish`, asked in the feedback flow,
default no) leaves this module, and only as `FeedbackPublic`: no reporter column is ever read,
the place is rounded here (~100 m), phone numbers and e-mail addresses typed in the text are
masked here, and only the photos sent with the feedback are listed (never an official's).
"""

from __future__ import annotations

import re

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Feedback, FeedbackEvent, FeedbackEventKind, FeedbackPhoto
from storage.public_shapes import FeedbackFilters, FeedbackPublic, PublicPhotoFile

PLACE_DECIMALS = 3
"""Degrees rounded to 0.001: about 111 m north–south, 104 m east–west in Viet Nam."""
MASK = "[…]"
_PHONE = re.compile(r"(?<![\d+])(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

_COLUMNS = (col(Feedback.id), col(Feedback.code), col(Feedback.status), col(Feedback.category),
            col(Feedback.text), col(Feedback.commune_code), col(Feedback.province_code),
            col(Feedback.assigned_unit_code), col(Feedback.latitude), col(Feedback.longitude),
            col(Feedback.created_at), col(Feedback.updated_at))
"""The columns read: the reporter's are deliberately not among them."""


def masked(text: str) -> str:
    """The text with phone numbers and e-mail addresses a sender may have typed masked."""
    return _EMAIL.sub(MASK, _PHONE.sub(MASK, text))


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, PLACE_DECIMALS)


async def list_published(session: AsyncSession, *, filters: FeedbackFilters
                         ) -> list[FeedbackPublic]:
    """Published feedback matching `filters`, newest first, at most `filters.limit`."""
    statement = select(*_COLUMNS).where(col(Feedback.publish).is_(True))  # type: ignore[call-overload]
    if filters.codes:
        statement = statement.where(col(Feedback.code).in_(filters.codes))
    if filters.categories:
        statement = statement.where(col(Feedback.category).in_(filters.categories))
    if filters.statuses:
        statement = statement.where(col(Feedback.status).in_(filters.statuses))
    if filters.created_from is not None:
        statement = statement.where(col(Feedback.created_at) >= filters.created_from)
    if filters.created_before is not None:
        statement = statement.where(col(Feedback.created_at) <= filters.created_before)
    if filters.bbox is not None:
        box = filters.bbox
        statement = statement.where(col(Feedback.latitude).between(box.south, box.north),
                                    col(Feedback.longitude).between(box.west, box.east))
    statement = statement.order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
    rows = (await session.exec(statement.limit(filters.limit))).all()
    photos = await _photos_sent_with(session, [row[0] for row in rows])
    return [FeedbackPublic(
        code=code, status=status, category=category, text=masked(text),
        commune_code=commune, province_code=province, assigned_unit_code=assigned,
        latitude=_rounded(lat), longitude=_rounded(lon), created_at=created,
        updated_at=updated, photo_ids=photos.get(feedback_id, []))
        for (feedback_id, code, status, category, text, commune, province, assigned, lat, lon,
             created, updated) in rows]


async def get_published(session: AsyncSession, *, code: str) -> FeedbackPublic | None:
    found = await list_published(session, filters=FeedbackFilters(codes=(code,), limit=1))
    return found[0] if found else None


def _sent_with_it() -> list:  # type: ignore[type-arg]
    """Photos of the feedback's first event (sent with it), of a published feedback."""
    return [col(FeedbackPhoto.event_id) == col(FeedbackEvent.id),
            col(FeedbackEvent.kind) == FeedbackEventKind.CREATED,
            col(FeedbackPhoto.feedback_id) == col(Feedback.id),
            col(Feedback.publish).is_(True)]


async def _photos_sent_with(session: AsyncSession, feedback_ids: list[int]
                            ) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for start in range(0, len(feedback_ids), 500):  # under every database's parameter limit
        statement = (select(col(FeedbackPhoto.feedback_id), col(FeedbackPhoto.id))
                     .where(col(FeedbackPhoto.feedback_id).in_(feedback_ids[start:start + 500]),
                            *_sent_with_it())
                     .order_by(col(FeedbackPhoto.position), col(FeedbackPhoto.id)))
        for feedback_id, photo_id in (await session.exec(statement)).all():
            found.setdefault(feedback_id, []).append(int(photo_id or 0))
    return found


async def get_published_photo(session: AsyncSession, *, photo_id: int) -> PublicPhotoFile | None:
    """A photo sent with a published feedback; None for any other photo."""
    if not 0 < photo_id < 2**31:
        return None
    row = (await session.exec(
        select(col(FeedbackPhoto.path), col(FeedbackPhoto.sha256), col(FeedbackPhoto.mime_type))
        .where(col(FeedbackPhoto.id) == photo_id, *_sent_with_it()))).first()
    if row is None:
        return None
    path, sha256, mime_type = row
    return PublicPhotoFile(path=path, sha256=sha256, mime_type=mime_type)
