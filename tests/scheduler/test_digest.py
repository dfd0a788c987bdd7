"""The weekly digest pass (scheduler/digest.py), called directly with a moved clock: who gets
what, once; quiet hours; Zalo OA's 7-day window (skipped at once, never left waiting)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from handlers.clock import ManualClock, from_db
from handlers.replies import PhotoReply, TextReply, from_payload
from scheduler.calendar import QuietHours
from scheduler.digest import WeeklyDigest
from storage.models import (
    ChannelAccount,
    OutboxStatus,
    PracticeEvent,
    PracticePhoto,
)
from storage.repositories import follows
from storage.units import UnitDirectory
from tests.scheduler.factories import outbox_rows
from tests.support.factories import add_person, add_practice

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOAN_KIEM, HA_NOI, BEN_THANH, HCMC = "00070", "01", "26743", "79"
MONDAY = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
SUNDAY_22 = datetime(2027, 3, 7, 15, 0, tzinfo=UTC)  # 22:00 in Hà Nội, inside 21-7


def digest(db, clock, *, hour: int = 22) -> WeeklyDigest:  # noqa: ANN001
    return WeeklyDigest(db, clock, QuietHours(TZ, time(21), time(7)), UnitDirectory.load(), TZ,
                        site_url="https://dvk.example.vn/", weekday=7, hour=hour)


async def event(db, practice, kind: str, at: datetime) -> None:  # noqa: ANN001
    async with db.session() as session:
        session.add(PracticeEvent(practice_id=practice.id, kind=kind,
                                  actor_id=practice.submitter_id, created_at=at))
        await session.commit()


async def follow(db, person, unit: str, province: str, now: datetime) -> None:  # noqa: ANN001
    async with db.session() as session:
        await follows.follow(session, person_id=person.id, unit_code=unit, province_code=province,
                             now=now)
        await session.commit()


async def on_zalo_oa(db, person, seen: datetime) -> None:  # noqa: ANN001
    """Make the person's only account a Zalo OA one, last used at `seen`."""
    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount).where(
            ChannelAccount.person_id == person.id))).one()
        account.channel, account.last_seen_at = "zalo_oa", seen
        session.add(account)
        await session.commit()


async def test_each_follower_gets_their_units_practices_once_after_quiet_hours(db) -> None:
    clock = ManualClock(MONDAY)
    now = clock.now()
    author = await add_person(db, now=now, name="Tác giả")
    commune_fan = await add_person(db, now=now, name="An")
    province_fan = await add_person(db, now=now, name="Bình", language="en")
    far_fan = await add_person(db, now=now, name="Chi")
    oa_recent = await add_person(db, now=now, name="Dung")
    oa_gone = await add_person(db, now=now, name="Em")
    await follow(db, commune_fan, HOAN_KIEM, HA_NOI, now)
    await follow(db, province_fan, HA_NOI, HA_NOI, now)
    await follow(db, province_fan, HOAN_KIEM, HA_NOI, now)  # both: each practice once
    await follow(db, far_fan, BEN_THANH, HCMC, now)
    for fan in (oa_recent, oa_gone):
        await follow(db, fan, HOAN_KIEM, HA_NOI, now)

    approved = await add_practice(db, author.id, created=now, status="approved",
                                  title="Chợ không rác nhựa")
    recognised = await add_practice(db, author.id, created=now, status="recognised",
                                    commune="00004", title="Tổ hoà giải giỏi")  # Ba Đình
    rejected = await add_practice(db, author.id, created=now, status="rejected",
                                  title="Bị trả lại")
    last_week = await add_practice(db, author.id, created=now, status="approved",
                                   title="Tuần trước")
    await event(db, approved, "approved", MONDAY + timedelta(days=1))
    await event(db, recognised, "approved", MONDAY + timedelta(days=1))
    await event(db, recognised, "recognised", MONDAY + timedelta(days=2))
    await event(db, rejected, "approved", MONDAY + timedelta(days=2))
    await event(db, last_week, "approved", MONDAY - timedelta(hours=14))  # last Sunday 20:00
    async with db.session() as session:
        session.add(PracticePhoto(practice_id=approved.id, sha256="a" * 64, path="p/1.jpg",
                                  mime_type="image/jpeg", size_bytes=10, channel="telegram"))
        await session.commit()
    await on_zalo_oa(db, oa_recent, SUNDAY_22 - timedelta(days=2))
    await on_zalo_oa(db, oa_gone, SUNDAY_22 - timedelta(days=8))

    pass_ = digest(db, clock)
    clock.set(SUNDAY_22 - timedelta(minutes=1))
    assert await pass_.run() == 3  # not this week's yet: last week's, caught up, is due
    assert await pass_.run() == 0
    earlier = [r for r in await outbox_rows(db) if r.idempotency_key.startswith(
        "digest:2027-02-28:")]
    assert len(earlier) == 4 and all("Tuần trước" in r.payload[0]["text"]
                                     for r in earlier if r.payload)
    clock.set(SUNDAY_22 + timedelta(minutes=5))
    assert await pass_.run() == 3
    assert await pass_.run() == 0  # again (a restart, another worker): nothing twice
    assert await digest(db, clock).run() == 0

    rows = {r.person_id: r for r in await outbox_rows(db) if r.idempotency_key.startswith(
        "digest:2027-03-07")}
    assert set(rows) == {commune_fan.id, province_fan.id, oa_recent.id, oa_gone.id}
    assert rows[oa_gone.id].status == OutboxStatus.SKIPPED and rows[oa_gone.id].payload == []
    assert "Zalo OA" in rows[oa_gone.id].last_error
    assert far_fan.id not in rows  # nothing new in Bến Thành: no empty digest
    release = datetime(2027, 3, 8, 0, 0, tzinfo=UTC)  # 07:00 in Hà Nội
    for person in (commune_fan, province_fan, oa_recent):
        assert rows[person.id].status == OutboxStatus.PENDING
        assert from_db(rows[person.id].not_before) == release
        assert from_db(rows[person.id].expires_at) == SUNDAY_22 + timedelta(days=7)

    text, photo = from_payload(rows[commune_fan.id].payload)
    assert isinstance(text, TextReply) and isinstance(photo, PhotoReply)
    assert "Bản tin tuần: 1 mô hình" in text.text and "Chợ không rác nhựa" in text.text
    assert f"https://dvk.example.vn/practices/{approved.code}" in text.text
    assert "Tổ hoà giải" not in text.text and "Bị trả lại" not in text.text
    assert "Tuần trước" not in text.text
    assert photo.path == "p/1.jpg" and approved.code in (photo.caption or "")

    [wide] = [r for r in from_payload(rows[province_fan.id].payload) if isinstance(r, TextReply)]
    assert "Weekly digest: 2 new" in wide.text
    assert wide.text.count("Chợ không rác nhựa") == 1
    assert "Tổ hoà giải giỏi (recognised as exemplary)" in wide.text
