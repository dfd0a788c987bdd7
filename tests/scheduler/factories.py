"""People, accounts, deadlines, drafts, practices and feedback for scheduler tests, stored in
the real test database (SQLite)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from handlers.replies import Reply, TextReply, to_payload
from storage.db import Database
from storage.models import (
    ChannelAccount,
    Conversation,
    Deadline,
    Feedback,
    FeedbackEvent,
    OutboxMessage,
    Person,
    Practice,
    Recognition,
)

HOAN_KIEM, CUA_NAM, HA_NOI = "00070", "00073", "01"  # two wards of Hà Nội, and Hà Nội
VUNG_TAU, HCM = "26506", "79"  # a ward of Hồ Chí Minh City, and the city

_ids = itertools.count(7_000_001)
_codes = itertools.count(1)


async def add_person(
    db: Database, *, now: datetime, name: str = "Lan", role: str = "citizen",
    level: str | None = None, unit: str | None = None, language: str = "vi",
    telegram: int | tuple[int, ...] | None = None,
) -> Person:
    """A person with Telegram accounts (chat id = user id); the first is the most recent."""
    ids = (next(_ids),) if telegram is None else (
        (telegram,) if isinstance(telegram, int) else telegram)
    async with db.session() as session:
        person = Person(display_name=name, language=language, role=role, level=level,
                        unit_code=unit, created_at=now)
        session.add(person)
        await session.flush()
        for age, user_id in enumerate(ids):
            seen = now - timedelta(minutes=age)
            session.add(ChannelAccount(person_id=person.id, channel="telegram",
                                       external_id=str(user_id), chat_id=str(user_id),
                                       display_name=name, created_at=seen, last_seen_at=seen))
        await session.commit()
    return person


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


async def add_practice(
    db: Database, submitter_id: int, *, created: datetime, commune: str = HOAN_KIEM,
    province: str = HA_NOI, field: str = "economy", status: str = "submitted",
    title: str | None = None, updated: datetime | None = None, submitter_name: str | None = None,
) -> Practice:
    n = next(_codes)
    async with db.session() as session:
        practice = Practice(
            code=f"MH-2027-{n:06d}", status=status, submitter_id=submitter_id,
            submitter_kind="collective", submitter_type="village",
            submitter_name=submitter_name or f"Thôn số {n}", field=field,
            title=title or f"Mô hình số {n}",
            description="Các hộ cùng bàn, cùng làm.", clear_who="a", clear_what="b",
            clear_when="c", clear_responsibility="d", clear_product="e", clear_authority="f",
            results="Tốt", commune_code=commune, province_code=province, village="Thôn 1",
            answers={}, created_at=created, updated_at=updated or created)
        session.add(practice)
        await session.commit()
    return practice


async def recognise(db: Database, practice: Practice, *, level: str, by: int,
                    at: datetime, unit: str | None = None) -> None:
    async with db.session() as session:
        session.add(Recognition(practice_id=practice.id, level=level, unit_code=unit,
                                recognised_by=by, recognised_at=at,
                                valid_until=at + timedelta(days=365 * 3)))
        await session.commit()


async def add_feedback(
    db: Database, reporter_id: int, *, created: datetime, commune: str = HOAN_KIEM,
    province: str = HA_NOI, category: str = "environment", status: str = "new",
    anonymous: bool = True, name: str | None = None, phone: str | None = None,
    first_answered: datetime | None = None, resolved: datetime | None = None,
    satisfaction: int | None = None,
) -> Feedback:
    n = next(_codes)
    async with db.session() as session:
        feedback = Feedback(
            code=f"PA-2027-{n:06d}", status=status, category=category,
            text="Đường làng ngập nước sau mưa.", reporter_id=reporter_id, anonymous=anonymous,
            reporter_name=name, reporter_phone=phone, commune_code=commune,
            province_code=province, assigned_unit_code=commune,
            assigned_province_code=province, created_at=created, updated_at=created,
            first_answered_at=first_answered, resolved_at=resolved, satisfaction=satisfaction)
        session.add(feedback)
        await session.flush()
        session.add(FeedbackEvent(feedback_id=feedback.id, kind="created", actor_role="reporter",
                                  to_status=status, created_at=created))
        await session.commit()
    return feedback


def texts(messages) -> list[str]:  # noqa: ANN001
    return [m.plain_text or "" for m in messages]

