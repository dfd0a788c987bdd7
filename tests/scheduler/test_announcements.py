"""Announcements end to end at the engine and the outbox (the real Telegram sender against the
fake Bot API over HTTP, pacing on the injected clock): an official of a commune writes to its
2,000 followers, previews, confirms; the outbox delivers at the platform's pace, once per
person; a cancel halfway withdraws the rest. Who may announce, and to whom, is checked on the
server."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from handlers.replies import ACTION_TOKEN
from scheduler.outbox import OutboxWorker
from scheduler.ratelimit import ChatRateLimiter, RateLimits
from storage.models import (
    Announcement,
    AuditEntry,
    ChannelAccount,
    Follow,
    OutboxStatus,
    Person,
)
from tests.scheduler.conftest import clock_seconds
from tests.scheduler.factories import outbox_rows
from tests.support.factories import add_person

HOAN_KIEM, HA_NOI, BEN_THANH, HCMC = "00070", "01", "26743", "79"
FIRST_CHAT = 7_100_000
FOLLOWERS = 2_000
TEXT = "Chủ nhật này 7 giờ, tổng vệ sinh các tuyến phố. Mời bà con tham gia."


async def followers(db, clock, count: int, *, unit: str, province: str,  # noqa: ANN001
                    first_chat: int, accounts: bool = True) -> list[int]:
    """`count` citizens on Telegram following `unit`, stored in one transaction."""
    now = clock.now()
    async with db.session() as session:
        people = [Person(display_name=f"Dân {n}", created_at=now) for n in range(count)]
        session.add_all(people)
        await session.flush()
        for n, person in enumerate(people):
            session.add(Follow(person_id=person.id, unit_code=unit, province_code=province,
                               created_at=now))
            if accounts:
                session.add(ChannelAccount(
                    person_id=person.id, channel="telegram", external_id=str(first_chat + n),
                    chat_id=str(first_chat + n), created_at=now, last_seen_at=now))
        await session.commit()
        return [p.id for p in people]


async def official(db, clock, make_chat, user_id: int, *, unit: str,  # noqa: ANN001, ANN201
                   level: str = "commune"):
    await add_person(db, now=clock.now(), name=f"Cán bộ {user_id}", role="official",
                     level=level, unit=unit, telegram=user_id)
    return make_chat(user_id, f"Cán bộ {user_id}")


async def write(chat, *, audience: str = "Người theo dõi") -> None:  # noqa: ANN001
    await chat.command("guithongbao")
    assert "Soạn thông báo gửi người theo dõi" in chat.last.text, chat.last.text
    await chat.text(TEXT)
    await chat.press("Không có ảnh, tiếp tục")
    await chat.text("hanoi.gov.vn/tong-ve-sinh")
    await chat.press(audience)


async def test_an_announcement_to_2000_followers_is_paced_once_each_and_a_cancel_stops_it(
        db, clock, make_chat, sender, fake) -> None:  # noqa: ANN001
    await followers(db, clock, FOLLOWERS, unit=HOAN_KIEM, province=HA_NOI,
                    first_chat=FIRST_CHAT)
    await followers(db, clock, 5, unit=BEN_THANH, province=HCMC, first_chat=7_900_000)
    minh = await official(db, clock, make_chat, 9_000_001, unit=HOAN_KIEM)

    await write(minh)
    preview = [r.text for r in minh.transcript[-3:]]
    assert "Xem trước" in preview[0]
    assert "Thông báo của Phường Hoàn Kiếm" in preview[1] and TEXT in preview[1]
    assert "🔗 https://hanoi.gov.vn/tong-ve-sinh" in preview[1]
    assert "Sẽ gửi tới 2.000 người" in preview[2]
    assert await outbox_rows(db) == []  # nothing leaves before the confirmation
    await minh.press("Gửi")
    assert "Đã bắt đầu gửi tới 2.000 người" in minh.last.text
    assert "Đã gửi 0 / 2.000" in minh.last.text

    cancelled_at: list[int] = []
    start = clock.now()

    async def sleep(seconds: float) -> None:  # the worker waits for its pace: time moves
        clock.advance(seconds=seconds)
        delivered = len(fake.calls_to("sendMessage"))
        if delivered >= FOLLOWERS // 2 and not cancelled_at:
            cancelled_at.append(delivered)
            await minh.press("Dừng gửi")  # halfway, the official stops it

    limiter = ChatRateLimiter(RateLimits(), now=clock_seconds(clock))
    worker = OutboxWorker(db, {"telegram": sender}, clock, limiters={"telegram": limiter},
                          sleep=sleep)
    await worker.drain()
    await worker.drain()  # and again: nothing withdrawn comes back

    chats = [FIRST_CHAT + n for n in range(FOLLOWERS)]
    received = {chat: len(fake.messages(chat)) for chat in chats}
    delivered = sum(received.values())
    assert max(received.values()) == 1  # nobody twice
    assert cancelled_at and FOLLOWERS // 2 <= delivered < FOLLOWERS * 0.6
    assert all(TEXT in m.text for chat in chats for m in fake.messages(chat))
    assert all(fake.messages(7_900_000 + n) == [] for n in range(5))  # another commune's
    elapsed = (clock.now() - start).total_seconds()
    assert elapsed >= delivered / RateLimits().global_per_second * 0.95  # the platform's pace

    rows = [r for r in await outbox_rows(db) if r.idempotency_key.startswith("ann:")]
    statuses = {s: sum(r.status == s for r in rows) for s in {r.status for r in rows}}
    assert statuses == {OutboxStatus.SENT: delivered,
                        OutboxStatus.SKIPPED: FOLLOWERS - delivered}
    assert "Đã dừng" in minh.last.text
    await minh.command("thongbaodagui")
    assert re.search(rf"Đã gửi {delivered:,} / 2\.000 · lỗi 0 · đang chờ 0".replace(",", "."),
                     minh.last.text), minh.last.text
    assert "Đã dừng gửi" in minh.last.text
    async with db.session() as session:
        actions = [a.action for a in (await session.exec(select(AuditEntry).where(
            AuditEntry.record_kind == "announcement"))).all()]
    assert actions == ["announcement.draft", "announcement.send", "announcement.cancel"]


async def test_a_citizen_and_another_units_official_cannot_announce_send_or_cancel(
        db, clock, make_chat) -> None:  # noqa: ANN001
    await followers(db, clock, 3, unit=HOAN_KIEM, province=HA_NOI, first_chat=FIRST_CHAT)
    minh = await official(db, clock, make_chat, 9_000_001, unit=HOAN_KIEM)
    other = await official(db, clock, make_chat, 9_000_002, unit=BEN_THANH)
    citizen = make_chat(9_000_003, "Lan")

    await citizen.command("guithongbao")  # an official's command: not one for citizens
    assert "Không có lệnh /guithongbao" in citizen.last.text
    await write(minh)
    [draft] = await _announcements(db)
    for forged in (f"ann_send:{draft.id}:2", f"ann_cancel:{draft.id}", f"ann_status:{draft.id}"):
        await other.press_raw(ACTION_TOKEN, forged)
        assert other.last.text.startswith("⛔"), other.last.text
        await citizen.press_raw(ACTION_TOKEN, forged)
        assert citizen.last.text.startswith("⛔"), citizen.last.text
    assert await outbox_rows(db) == []
    await minh.press("Gửi")
    await other.press_raw(ACTION_TOKEN, f"ann_cancel:{draft.id}")
    assert other.last.text.startswith("⛔")
    assert {r.status for r in await outbox_rows(db)} == {OutboxStatus.PENDING}
    await minh.press_raw(ACTION_TOKEN, f"ann_send:{draft.id}:1")  # twice: nothing twice
    assert "đã được gửi hoặc huỷ" in minh.last.text
    assert len(await outbox_rows(db)) == 3


async def test_a_province_confirms_twice_above_10000_recipients(db, clock, make_chat) -> None:
    await followers(db, clock, 10_001, unit=HA_NOI, province=HA_NOI, first_chat=0,
                    accounts=False)
    nga = await official(db, clock, make_chat, 9_000_010, unit=HA_NOI, level="province")
    await write(nga)
    assert "Sẽ gửi tới 10.001 người" in nga.last.text
    await nga.press("Gửi")
    assert "Xác nhận lần nữa" in nga.last.text and "10.001" in nga.last.text
    assert await outbox_rows(db) == []
    await nga.press("Vẫn gửi tới 10.001 người")
    assert "Đã bắt đầu gửi" in nga.last.text
    rows = await outbox_rows(db)
    assert len(rows) == 10_001
    # Nobody here has an account the bot could write to: recorded skipped, not left waiting.
    assert {r.status for r in rows} == {OutboxStatus.SKIPPED}
    clock.advance(timedelta(seconds=1))


async def _announcements(db) -> list[Announcement]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(select(Announcement))).all())
