"""Outbox rows, deadlines and drafts for scheduler tests, stored in the real test database
(people, practices and feedback: tests/support/factories.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import update

from handlers.replies import Reply, TextReply, to_payload
from storage.db import Database
from storage.models import (
    ChannelAccount,
    Conversation,
    Deadline,
    OutboxMessage,
)
from tests.support.factories import (  # noqa: F401  (moved there; imports from here still work)
    CUA_NAM,
    HA_NOI,
    HOAN_KIEM,
    add_feedback,
    add_person,
    add_practice,
    recognise,
)

VUNG_TAU, HCM = "26506", "79"  # a ward of Hồ Chí Minh City, and the city


async def queue(
    db: Database, person_id: int, key: str, replies: list[Reply] | str, *, now: datetime,
    not_before: datetime | None = None, expires_at: datetime | None = None,
    quiet_hours: bool = False,
) -> OutboxMessage:
    if isinstance(replies, str):
        replies = [TextReply(replies)]
    async with db.session() as session:
        message = OutboxMessage(idempotency_key=key, person_id=person_id,
                                payload=to_payload(replies), not_before=not_before or now,
                                created_at=now, expires_at=expires_at, quiet_hours=quiet_hours)
        session.add(message)
        await session.commit()
    return message


async def outbox_rows(db: Database) -> list[OutboxMessage]:
    from sqlmodel import select

    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def row(db: Database, key: str) -> OutboxMessage:
    from sqlmodel import select

    async with db.session() as session:
        return (await session.exec(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key))).one()


async def clear_calendar(db: Database) -> None:
    """Take the seeded 2026-2030 calendar off, so a test sees only its own deadlines."""
    async with db.session() as session:
        await session.exec(update(Deadline).values(active=False))
        await session.commit()


async def add_deadline(
    db: Database, *, due: date, level: str = "commune", scope: str | None = None,
    kind: str = "evaluation", title: str = "Đánh giá mô hình năm 2027",
    created_at: datetime = datetime(2026, 1, 1, tzinfo=UTC),
) -> Deadline:
    async with db.session() as session:
        deadline = Deadline(level=level, scope_code=scope, kind=kind, title=title, due_date=due,
                            created_at=created_at, updated_at=created_at)
        session.add(deadline)
        await session.commit()
    return deadline


async def add_draft(db: Database, person_id: int, *, touched: datetime, flow: str = "practice",
                    answers: dict[str, Any] | None = None) -> Conversation:
    from sqlmodel import select

    async with db.session() as session:
        account = (await session.exec(
            select(ChannelAccount).where(ChannelAccount.person_id == person_id))).first()
        conversation = Conversation(
            account_id=account.id, flow=flow, step="title",
            data={"answers": answers if answers is not None else {"submitter_kind": "collective"}},
            updated_at=touched)
        session.add(conversation)
        await session.commit()
    return conversation


def texts(messages) -> list[str]:  # noqa: ANN001
    return [m.plain_text or "" for m in messages]

