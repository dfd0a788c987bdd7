"""Words that fit the channel (issue 18, item 8): texts name the actions the person can take
where they are ("gõ Xong" on Zalo Bot, which has no buttons; "bấm Xong" on Telegram), never
"(nếu có)"; Vietnamese help names Vietnamese subcommands (/hanchot doi), the English ones still
work; an official's note on a change of status reads as a sentence."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from storage.models import Deadline, Feedback, Practice
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support import telegram_harness
from tests.support.chat_driver import walk
from tests.support.officials import (
    HOAN_KIEM,
    feedback_walk,
    tg_become_official,
    tg_open,
    tg_resolve,
    tg_send_feedback,
)
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.zalo_bot.harness import (
    ZaloBotChat,
    ZaloDriver,
    running_app,
    zalo_become_official,
    zalo_send_feedback,
)

PRESS = re.compile(r"\bbấm\b", re.IGNORECASE)


def texts(messages) -> list[str]:  # noqa: ANN001
    return [m.text for m in messages if m.text]


async def test_zalo_bot_never_tells_anyone_to_press_a_button(settings, clock, db):
    """The whole practice form and the whole feedback form, as a Zalo Bot user sees them."""
    async with FakeZaloBot() as fake:
        lan = fake.user("8412345", "Lan")
        async with running_app(settings, clock, fake) as app:
            driver = ZaloDriver(app, fake, lan)
            chat = ZaloBotChat(driver)
            await chat.open_menu()
            await chat.press("Gửi mô hình")
            photos = [step.kind for step in COMPLETE_PRACTICE].index("photos")
            await walk(chat, COMPLETE_PRACTICE[:photos])
            await driver.text("xong")  # before any photo: the bot says how to go on
            assert "⚠️ Bước này cần ảnh: gửi ảnh (hoặc album), rồi gõ Xong." in driver.last.text
            await walk(chat, COMPLETE_PRACTICE[photos:])
            await chat.press("Gửi")
            assert "MH-2026-000001" in chat.last_text
            await zalo_send_feedback(driver, anonymous=False, phone="0912 345 678")
        assert fake.errors == [], fake.errors

    seen = texts(lan.inbox)
    pressed = [text for text in seen if PRESS.search(text) or "(nếu có)" in text]
    assert pressed == []
    assert any("rồi gõ Xong" in text for text in seen)  # photos: typed, as there are no buttons
    assert any("Hãy gõ Gửi" in text or "hãy gõ Gửi" in text for text in seen)  # the summaries
    assert any("dán đường dẫn Google Maps" in text and "nút" not in text
               for text in seen if "Gửi vị trí" in text)
    async with db.session() as session:
        assert (await session.exec(select(Practice))).one().title == "Tiếng kẻng an ninh thôn"
        assert (await session.exec(select(Feedback))).one().reporter_phone == "+84912345678"


async def test_telegram_says_press_done_and_an_officials_note_reads_as_a_sentence(
        settings, clock, db):
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa", language_code="vi")
        minh = fake.user(3001, first_name="Minh", language_code="vi")
        async with telegram_harness.running_app(settings, fake, clock) as app:
            citizen = telegram_harness.TelegramDriver(app, fake, hoa)
            official = telegram_harness.TelegramDriver(app, fake, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            code = await tg_send_feedback(citizen, feedback_walk(photos=1))
            await tg_open(official, code)
            await tg_resolve(official, "Đã thay 2 bóng đèn LED ngày 5/12.")
            await app.outbox.drain()
        seen = texts(hoa.inbox)

    photos_question = next(text for text in seen if "Gửi tối đa 5 ảnh" in text)
    assert "rồi bấm Xong" in photos_question and "(nếu có)" not in photos_question
    location_question = next(text for text in seen if "Gửi vị trí nơi xảy ra" in text)
    assert "bấm nút «📍 Gửi vị trí»" in location_question, location_question
    assert not [text for text in seen if "(nếu có)" in text]
    notice = next(text for text in reversed(seen) if text.startswith(f"🔔 Phản ánh {code}"))
    assert ("Cán bộ dân vận Phường Hoàn Kiếm đã chuyển phản ánh sang «Đã giải quyết». "
            "Ghi chú của cán bộ: Đã thay 2 bóng đèn LED ngày 5/12.") in notice, notice
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
    assert (feedback.code, feedback.status) == (code, "resolved")


async def test_hanchot_takes_vietnamese_subcommands_and_keeps_the_english_ones(
        settings, clock, db):
    async with FakeZaloBot() as fake:
        minh = fake.user("8499999", "Minh")
        async with running_app(settings, clock, fake) as app:
            official = ZaloDriver(app, fake, minh)
            await official.text("xin chào")
            await zalo_become_official(official, db, clock, unit=HOAN_KIEM)

            [usage] = await official.command("hanchot", "giup")
            assert "Đổi ngày: /hanchot doi <số> 20/09/2027" in usage.text, usage.text
            assert not re.search(r"/hanchot (add|move|remove)\b", usage.text)

            await official.command("hanchot", "them 20/09/2027 danhgia Chấm điểm mô hình phường")
            assert "✅" in official.last.text, official.last.text
            deadline = await _deadline(db)
            await official.command("hanchot", f"dời {deadline.id} 25/09/2027")
            assert "25/09/2027" in official.last.text, official.last.text
            assert (await _deadline(db)).due_date == date(2027, 9, 25)
            await official.command("hanchot", f"move {deadline.id} 30/09/2027")
            assert (await _deadline(db)).due_date == date(2027, 9, 30)
            await official.command("hanchot", f"xoá {deadline.id}")
            assert not (await _deadline(db)).active
        assert fake.errors == [], fake.errors


async def _deadline(db) -> Deadline:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(
            select(Deadline).where(Deadline.title == "Chấm điểm mô hình phường"))).one()
