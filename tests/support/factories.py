"""What many tests need stored before they start, made in one place: people and officials,
invites (as `dvk invite` makes them), practices (submitted, recognised) and feedback. Stored in
the real test database through the models and repositories; no flow is driven here (the flows
have their own tests)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from handlers.clock import Clock
from storage.db import Database
from storage.models import (
    ChannelAccount,
    Feedback,
    FeedbackEvent,
    Person,
    Practice,
    PracticeReplication,
    PracticeStatus,
    Recognition,
)
from storage.repositories import invites, practices
from storage.repositories import officials as officials_repo
from storage.units import UnitDirectory

HOAN_KIEM, CUA_NAM, HA_NOI = "00070", "00073", "01"  # two wards of Hà Nội, and Hà Nội

_ids = itertools.count(7_000_001)
_codes = itertools.count(1)


# -- people ------------------------------------------------------------------------------------


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


async def make_official(db: Database, person_id: int, *, unit: str | None,
                        level: str = "commune", role: str = "official") -> None:
    """An existing person made an official of a unit, as `dvk officials` does."""
    async with db.session() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        await officials_repo.make_official(session, person=person, role=role, level=level,
                                           unit_code=unit)
        await session.commit()


# -- invites -----------------------------------------------------------------------------------


async def make_invite(db: Database, clock: Clock, *, unit: str | None, level: str = "commune",
                      role: str = "official", expires: timedelta = timedelta(days=7)) -> str:
    async with db.session() as session:
        _, token = await invites.create_invite(
            session, role=role, level=level, unit_code=unit, now=clock.now(),
            expires_at=clock.now() + expires)
        await session.commit()
    return token


# -- practices ---------------------------------------------------------------------------------


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


async def store_practice(db: Database, clock: Clock, *, commune: str, submitter_id: int,
                         title: str = "Tổ liên gia tự quản đường Láng") -> int:
    """A submitted practice, stored directly (the practice flow has its own tests)."""
    unit = UnitDirectory.load().get(commune)
    assert unit is not None
    now = clock.now()
    answers = {"submitter_kind": "collective", "collective_type": "village",
               "submitter_name": "Thôn Đông", "field": "culture_society", "title": title,
               "description": "Các hộ thay nhau trực.", "clear_who": "120 hộ",
               "clear_what": "Trực đêm", "clear_when": "Từ 3/2026",
               "clear_responsibility": "Trưởng thôn", "clear_product": "Không còn trộm",
               "clear_authority": "Đảng uỷ xã", "people_mobilised": 120,
               "organisations_taking_part": None, "people_groups": None,
               "contribution_workdays": None, "contribution_money_vnd": None,
               "contribution_other": None, "results": "An toàn", "commune": commune,
               "village": "Tổ 5", "location": None, "photos": []}
    async with db.session() as session:
        if await session.get(Person, submitter_id) is None:
            session.add(Person(id=submitter_id, display_name="Người gửi", created_at=now))
            await session.flush()
        practice = Practice(submitter_id=submitter_id, submitter_kind="collective",
                            submitter_type="village", commune_code=commune,
                            province_code=unit.province_code, answers=answers, created_at=now,
                            updated_at=now,
                            **{k: answers[k] for k in (
                                "submitter_name", "field", "title", "description", "clear_who",
                                "clear_what", "clear_when", "clear_responsibility",
                                "clear_product", "clear_authority", "people_mobilised",
                                "results", "village")})
        stored = await practices.create_practice(session, practice=practice, photos=[],
                                                 year=2026)
        await session.commit()
        return stored.id


async def store_recognised_practice(db: Database, clock: Clock, *, commune: str,
                                    submitter_id: int = 900,
                                    title: str = "Tổ liên gia tự quản đường Láng") -> int:
    """A practice recognised at commune level, stored directly; the consensus can be asked."""
    practice_id = await store_practice(db, clock, commune=commune, submitter_id=submitter_id,
                                       title=title)
    async with db.session() as session:
        practice = await session.get(Practice, practice_id)
        practice.status = PracticeStatus.RECOGNISED
        session.add(practice)
        await session.commit()
    return practice_id


async def store_adoption(db: Database, clock: Clock, *, practice_id: int, person_id: int,
                         name: str, commune: str) -> int:
    """A "nhân rộng" declaration, stored directly (its flow has its own tests)."""
    unit = UnitDirectory.load().get(commune)
    assert unit is not None
    async with db.session() as session:
        if await session.get(Person, person_id) is None:
            session.add(Person(id=person_id, display_name="Người báo", created_at=clock.now()))
            await session.flush()
        row = PracticeReplication(practice_id=practice_id, person_id=person_id,
                                  collective_name=name, commune_code=commune,
                                  province_code=unit.province_code, created_at=clock.now())
        session.add(row)
        await session.commit()
        assert row.id is not None
        return row.id


async def recognise(db: Database, practice: Practice, *, level: str, by: int,
                    at: datetime, unit: str | None = None) -> None:
    async with db.session() as session:
        session.add(Recognition(practice_id=practice.id, level=level, unit_code=unit,
                                recognised_by=by, recognised_at=at,
                                valid_until=at + timedelta(days=365 * 3)))
        await session.commit()


# -- feedback ----------------------------------------------------------------------------------


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
