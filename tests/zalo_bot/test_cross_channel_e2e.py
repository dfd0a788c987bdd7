"""Telegram and Zalo in one running product: an official on Zalo answers a feedback a citizen
sent on Telegram, and the citizen hears of it on Telegram; a citizen links both apps, follows
the same code on Zalo and chooses Zalo for notifications; a notice Zalo refuses for good goes
to the person's Telegram instead, recorded."""

from __future__ import annotations

import re

from sqlmodel import select

from storage.models import ChannelAccount, DeliveryFallback, Feedback, OutboxMessage, Person
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support.officials import HOAN_KIEM, feedback_walk, tg_become_official, tg_send_feedback
from tests.support.telegram_harness import TelegramDriver
from tests.zalo_bot.harness import ZaloDriver, needs_feedback, running_app, zalo_become_official

LINK_CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


@needs_feedback
async def test_official_on_zalo_answers_citizen_on_telegram(settings, clock, db):
    async with FakeTelegram() as telegram, FakeZaloBot() as zalo:
        hoa = telegram.user(2001, first_name="Hoa")
        minh = zalo.user("3001", "Minh")
        async with running_app(settings, clock, zalo, telegram=telegram) as app:
            citizen = TelegramDriver(app, telegram, hoa)
            official = ZaloDriver(app, zalo, minh)
            await zalo_become_official(official, db, clock, unit=HOAN_KIEM)

            code = await tg_send_feedback(citizen, feedback_walk(photos=1))
            await app.outbox.drain()
            assert f"Phản ánh mới {code}" in minh.last.text

            shown = await official.text("1")
            assert shown[0].method == "sendPhoto" and shown[0].photo_bytes  # her Telegram photo
            await official.pick("Trả lời")
            await official.text("Phường đã báo điện lực, sẽ thay bóng trong tuần này.")
            await official.pick("Gửi")
            await app.outbox.drain()
            answer = hoa.last
            assert "Phường đã báo điện lực" in answer.text
            assert "Cán bộ dân vận Phường Hoàn Kiếm" in answer.text and "Minh" not in answer.text
            assert answer.buttons  # on Telegram the same notice has buttons
        assert telegram.errors == [] and zalo.errors == []


@needs_feedback
async def test_linked_citizen_follows_on_zalo_and_gets_notices_there(settings, clock, db):
    async with FakeTelegram() as telegram, FakeZaloBot() as zalo:
        hoa_tg, hoa_zalo = telegram.user(2001, first_name="Hoa"), zalo.user("2001z", "Hoa")
        minh = telegram.user(3001, first_name="Minh")
        async with running_app(settings, clock, zalo, telegram=telegram) as app:
            on_telegram = TelegramDriver(app, telegram, hoa_tg)
            on_zalo = ZaloDriver(app, zalo, hoa_zalo)
            official = TelegramDriver(app, telegram, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            code = await tg_send_feedback(on_telegram, feedback_walk(photos=0))

            await on_telegram.command("link")
            link_code = LINK_CODE.search(hoa_tg.last.text).group(0)
            await on_zalo.text("xin chào")  # a new Zalo user is a new person, for now
            [linked] = await on_zalo.command("lienket", link_code.lower())
            assert "Đã liên kết" in linked.text and "Telegram, Zalo" in linked.text

            [status] = await on_zalo.command("tracuu", code)  # her Telegram feedback, on Zalo
            assert code in status.text and "Đèn đường ngõ 12" in status.text

            [choices] = await on_zalo.command("thongbao")
            assert "Tự động" in choices.text and "2. Telegram" in choices.text
            await on_zalo.pick("Zalo")
            assert "Từ nay thông báo và nhắc việc gửi qua: Zalo" in hoa_zalo.last.text

            await official.command("hopthu")
            await official.press(f"📣 {code}")
            await official.press("💬 Trả lời")
            await official.text("Đã báo điện lực.")
            await official.press("✅ Gửi")
            telegram_before = len(hoa_tg.inbox)
            await app.outbox.drain()
            assert "Đã báo điện lực" in hoa_zalo.last.text
            assert len(hoa_tg.inbox) == telegram_before
        assert telegram.errors == [] and zalo.errors == []

    async with db.session() as session:
        accounts = (await session.exec(select(ChannelAccount))).all()
        feedback = (await session.exec(select(Feedback))).one()
        hoa = await session.get(Person, feedback.reporter_id)
    mine = [a for a in accounts if a.person_id == hoa.id]
    assert sorted(a.channel for a in mine) == ["telegram", "zalo_bot"]
    assert hoa.notify_channel == "zalo_bot"


@needs_feedback
async def test_a_notice_zalo_refuses_goes_to_telegram_and_is_recorded(settings, clock, db):
    async with FakeTelegram() as telegram, FakeZaloBot() as zalo:
        hoa_tg, hoa_zalo = telegram.user(2001, first_name="Hoa"), zalo.user("2001z", "Hoa")
        minh = telegram.user(3001, first_name="Minh")
        async with running_app(settings, clock, zalo, telegram=telegram) as app:
            on_telegram = TelegramDriver(app, telegram, hoa_tg)
            on_zalo = ZaloDriver(app, zalo, hoa_zalo)
            official = TelegramDriver(app, telegram, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            await on_telegram.command("link")
            await on_zalo.command("link", LINK_CODE.search(hoa_tg.last.text).group(0))
            await on_zalo.command("notify", "zalo")
            code = await tg_send_feedback(on_telegram, feedback_walk(photos=0))

            zalo.fail("sendMessage", 404, description="user not found")
            await official.command("hopthu")
            await official.press(f"📣 {code}")
            await official.press("✅ Tiếp nhận")
            await app.outbox.drain()
            assert f"{code}" in hoa_tg.last.text and "Đã tiếp nhận" in hoa_tg.last.text

    async with db.session() as session:
        fallbacks = (await session.exec(select(DeliveryFallback))).all()
        message = await session.get(OutboxMessage, fallbacks[0].message_id)
    assert [(f.channel, "404" in f.error) for f in fallbacks] == [("zalo_bot", True)]
    assert (message.status, message.channel) == ("sent", "telegram")
