"""Abuse limits over Telegram: one account sending 100 messages in a minute gets one friendly
slow-down answer and nothing of its draft is lost, while the bot keeps serving others; a
person may send 5 new feedback a day."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Conversation
from tests.fakes.telegram_api import FakeTelegram
from tests.support.officials import feedback_walk, tg_send_feedback
from tests.support.telegram_harness import TelegramDriver, running_app

SLOW_DOWN = "Bạn đang gửi nhanh quá"


async def test_a_hundred_messages_a_minute_get_the_slow_down_and_others_are_served(
        settings, clock, db):
    settings = settings.updated(messages_per_minute=30)  # the default
    async with FakeTelegram() as fake:
        spammer = fake.user(6001, first_name="Spam")
        hoa = fake.user(2001, first_name="Hoa")
        async with running_app(settings, fake, clock) as app:
            flood, other = TelegramDriver(app, fake, spammer), TelegramDriver(app, fake, hoa)
            await flood.command("phananh")
            await flood.press("Hạ tầng: đường, điện, nước, chiếu sáng")
            ids = [spammer.send_text(f"tin nhắn số {n}") for n in range(100)]
            await flood._after(*ids)
            await other.command("start")
            assert "Bạn muốn làm gì?" in hoa.last.text  # served meanwhile
            texts = [m.text or "" for m in fake.messages(6001)]
            assert sum(SLOW_DOWN in t for t in texts) == 1
            assert len(texts) < 40  # the rest were set aside unanswered
            clock.advance(minutes=1, seconds=1)
            await flood.text("/phananh")  # a minute later: served again, the draft kept
            assert SLOW_DOWN not in spammer.last.text
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation).order_by(Conversation.id))).first()
    assert conversation.data["draft"]["answers"]["category"] == "infrastructure"
    assert conversation.data["draft"]["answers"]["text"].startswith("tin nhắn số 0")


async def test_five_new_feedback_a_day(settings, clock, db):
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa")
        async with running_app(settings, fake, clock) as app:
            citizen = TelegramDriver(app, fake, hoa)
            for _ in range(5):
                await tg_send_feedback(citizen, feedback_walk(photos=0))
                clock.advance(hours=1)
            await citizen.command("phananh")
            assert "tối đa 5 phản ánh mới trong 24 giờ" in hoa.last.text
            clock.advance(hours=20)  # the first one is now more than a day old
            assert await tg_send_feedback(citizen, feedback_walk(photos=0)) == "PA-2026-000006"
