"""After resolution the sender rates it once (1–5, an optional comment) and may reopen it once
within 14 days; ratings out of range, second ratings and late or repeated reopening are refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Feedback, FeedbackEvent
from tests.fakes.telegram_api import FakeTelegram
from tests.support.officials import (
    HOAN_KIEM,
    feedback_walk,
    tg_become_official,
    tg_open,
    tg_resolve,
    tg_send_feedback,
)
from tests.support.telegram_harness import TelegramDriver, running_app


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def test_rating_and_reopening(fast_settings, clock, db):
    async with FakeTelegram() as fake:
        hoa, minh = fake.user(2001, first_name="Hoa"), fake.user(3001, first_name="Minh")
        stranger = fake.user(2002, first_name="Khách")
        async with running_app(fast_settings, fake, clock) as app:
            citizen, official = TelegramDriver(app, fake, hoa), TelegramDriver(app, fake, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            first = await tg_send_feedback(citizen, feedback_walk(photos=0))
            second = await tg_send_feedback(citizen, feedback_walk(photos=0))
            await app.outbox.drain()  # the officials' notices, before they press anything

            await citizen.press_data("a:fb_rate:1:4")  # not handled yet: too early to rate
            assert "Chỉ đánh giá được sau khi" in hoa.last.text
            await citizen.press_data("a:fb_reopen:1")
            assert "đang được xử lý, chưa cần mở lại" in hoa.last.text

            for code in (first, second):
                await tg_open(official, f"📣 {code}")
                await tg_resolve(official, "Đã sửa xong.", proof_photos=0)
            await app.outbox.drain()

            for forged in ("a:fb_rate:1:9", "a:fb_rate:1:0", "a:fb_rate:1:x", "a:fb_rate:1"):
                await citizen.press_data(forged)
                assert "từ 1 đến 5 sao" in hoa.last.text, forged
            outsider = TelegramDriver(app, fake, stranger)
            await outsider.command("start")
            await outsider.press_data("a:fb_rate:1:1")
            assert stranger.last.text.startswith("⛔")

            await citizen.command("tracuu", first)
            await citizen.press("⭐⭐")
            assert "Bạn có muốn nhận xét" in hoa.last.text
            await citizen.press("Bỏ qua")
            assert "Cảm ơn bạn đã góp ý" in hoa.last.text
            await citizen.press_data("a:fb_rate:1:5")
            assert "đã đánh giá 2/5" in hoa.last.text

            clock.advance(days=13)
            await citizen.command("tracuu", first)
            await citizen.press("🔁 Chưa được giải quyết: mở lại")
            await citizen.command("back")
            assert "câu hỏi đầu tiên" in hoa.last.text
            await citizen.text("Đèn lại hỏng sau hai ngày.")
            await citizen.press("✅ Gửi")
            assert f"Đã mở lại phản ánh {first}" in hoa.last.text
            await app.outbox.drain()
            assert f"mở lại {first}" in minh.last.text

            await official.press("📂 Mở")
            assert "Đang xử lý" in minh.last.text and "Đèn lại hỏng" in minh.last.text
            await tg_resolve(official, "Đã thay cả bộ đèn.", proof_photos=1)
            await app.outbox.drain()
            await citizen.press("⭐⭐⭐⭐⭐")  # a new resolution may be rated again
            await citizen.press("Bỏ qua")
            await citizen.command("tracuu", first)
            assert not any("mở lại" in b for b in hoa.last.buttons)
            await citizen.press_data("a:fb_reopen:1")
            assert "chỉ được mở lại một lần" in hoa.last.text

            clock.advance(days=2)  # 15 days after the second one was resolved
            await citizen.command("tracuu", second)
            assert not any("mở lại" in b for b in hoa.last.buttons)
            await citizen.press_data("a:fb_reopen:2")
            assert "quá 14 ngày" in hoa.last.text
        assert fake.errors == []

    async with db.session() as session:
        rows = (await session.exec(select(Feedback).order_by(Feedback.id))).all()
        kinds = [e.kind for e in (await session.exec(
            select(FeedbackEvent).where(FeedbackEvent.feedback_id == 1))).all()]
    assert (rows[0].status, rows[0].satisfaction, rows[0].reopen_count) == ("resolved", 5, 1)
    assert (rows[1].status, rows[1].satisfaction, rows[1].reopen_count) == ("resolved", None, 0)
    assert kinds == ["created", "status", "rated", "reopened", "status", "rated"]
