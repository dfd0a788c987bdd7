"""Bad input over Telegram, at every step of the practice flow: a clear Vietnamese answer, the
same question again, nothing lost, nothing over Telegram's limits, no unhandled error."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from handlers.practice_form import PRACTICE_FORM
from storage.models import Conversation, Practice, PracticePhoto
from tests.fakes.telegram_api import FakeTelegram, make_jpeg
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE, QUESTIONS, SELF_ASSESSMENT
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app

TEXT_FIELDS = {spec.name: spec.max_length for spec in PRACTICE_FORM.fields
               if spec.kind == "text"}


@pytest.fixture
async def bot(settings, clock):
    async with FakeTelegram() as fake:
        user = fake.user(2002, first_name="Minh")
        async with running_app(settings, fake, clock) as app:
            yield TelegramDriver(app, fake, user)
        assert fake.errors == [], fake.errors


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


async def answers(db) -> dict:  # noqa: ANN001
    async with db.session() as session:
        return dict((await session.exec(select(Conversation))).one().data["draft"]["answers"])


async def test_every_step_survives_every_bad_input(bot: TelegramDriver, db, caplog):
    caplog.set_level(logging.INFO)
    await bot.command("mohinh")
    stale_data = bot.last.inline_keyboard[0][0]["callback_data"]  # a button of question 1
    for index, step in enumerate(COMPLETE_PRACTICE):
        if step.kind == "photos":
            await walk(TelegramChat(bot), [step])
            continue
        question = bot.last
        before = await answers(db)
        bad_inputs = [
            ("sticker", bot.sticker, "nhãn dán"),
            ("voice", bot.voice, "thoại"),
            ("blank text", lambda: bot.text("   \n "), None),
            ("invisible text", lambda: bot.text("\u200b\u200c\u2060\ufeff \u3164"), None),
            ("stale button", lambda: bot.press_data(stale_data), "câu hỏi cũ"),
            ("forged button", lambda: bot.press_data("qzz:__skip__"), "câu hỏi cũ"),
            ("unknown command", lambda: bot.command("xyz"), "Không có lệnh"),
            ("another flow's command", lambda: bot.command("phananh"), "đang làm dở"),
            ("pdf document", lambda: bot.document(b"%PDF-1.4 x", "application/pdf", "a.pdf"),
             "chỉ nhận tệp là ảnh"),
        ]
        if index > 0:
            bad_inputs = [b for b in bad_inputs if b[0] != "stale button"] + [
                ("stale button", lambda: bot.press_data(stale_data), "câu hỏi cũ")]
        for name, send, expected in bad_inputs:
            if name == "stale button" and index == 0:
                continue
            replies = await send()
            assert len(replies) == 1, (step.field, name, [r.text for r in replies])
            reply = replies[0]
            assert reply.text.startswith("⚠️") or expected is None or expected in reply.text
            if expected:
                assert expected in reply.text, (step.field, name, reply.text)
            assert QUESTIONS[step.field].lower() in reply.text.lower() or (
                "Chọn đúng xã" in reply.text), (step.field, name, reply.text)
            assert reply.buttons == question.buttons, (step.field, name)
        assert await answers(db) == before, step.field
        await walk(TelegramChat(bot), [step])
    await bot.press("Gửi")
    assert "MH-2026-000001" in bot.last.text
    no_errors_logged(caplog)


async def test_huge_text_in_every_free_text_field(bot: TelegramDriver, db):
    await bot.command("submit")
    for step in COMPLETE_PRACTICE:
        if step.field in TEXT_FIELDS and step.kind == "text":
            [reply] = await bot.text("ồ" * 4096)
            assert "4096 ký tự" in reply.text and f"{TEXT_FIELDS[step.field]} ký tự" in reply.text
            assert QUESTIONS[step.field].lower() in reply.text.lower()
            # The longest allowed answer is taken, and every later message still fits.
            await bot.text("ồ" * TEXT_FIELDS[step.field])
            continue
        await walk(TelegramChat(bot), [step])
    summary_parts = [m for m in bot.user.inbox if "Kiểm tra lại mô hình" in m.text]
    assert summary_parts, "the summary was shown"
    await bot.press("Sửa")
    await bot.press("Mô tả")
    assert "Câu trả lời hiện tại" in bot.last.text and len(bot.last.text) <= 4096
    await bot.text("Mô tả ngắn")
    await bot.press("Gửi")
    assert "MH-2026-" in bot.last.text
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
    assert practice.description == "Mô tả ngắn" and len(practice.title) == 200
    assert all(len(m.text) <= 4096 for m in bot.user.inbox)


async def test_album_of_twelve_keeps_ten_and_says_so(bot: TelegramDriver, db):
    await bot.command("submit")
    for step in COMPLETE_PRACTICE:
        if step.kind == "photos":
            break
        await walk(TelegramChat(bot), [step])
    [reply] = await bot.album(12)
    assert "Đã nhận 10 ảnh từ album" in reply.text
    assert "2 ảnh sau không được lưu" in reply.text and "10/10" in reply.text
    [reply] = await bot.photo()
    assert "không được lưu" in reply.text
    await bot.press("Xong")
    await walk(TelegramChat(bot), SELF_ASSESSMENT)
    assert "10 ảnh" in bot.last.text
    await bot.press("Gửi")
    async with db.session() as session:
        assert len((await session.exec(select(PracticePhoto))).all()) == 10


async def test_image_sent_as_document_is_accepted(bot: TelegramDriver):
    await bot.command("submit")
    for step in COMPLETE_PRACTICE:
        if step.kind == "photos":
            break
        await walk(TelegramChat(bot), [step])
    [reply] = await bot.document(make_jpeg(), "image/jpeg", "anh-mo-hinh.jpg")
    assert "Đã nhận ảnh" in reply.text and "1/10" in reply.text
    [reply] = await bot.document(b"not really a jpeg", "image/jpeg", "fake.jpg")
    assert "không phải ảnh hợp lệ" in reply.text


async def test_the_same_update_twice_is_processed_once(bot: TelegramDriver, db):
    await bot.command("submit")
    first = bot.user.press("Tập thể")
    await bot.app.telegram.wait_processed(first)
    count = len(bot.user.inbox)
    again = bot.fake.redeliver(first)
    await bot.fake.delivered(again, times=2)
    await bot.command("help")  # a later update: once it is answered, the copy was handled
    assert len(bot.user.inbox) == count + 1
    assert (await answers(db)) == {"submitter_kind": "collective"}
