"""Voice notes in feedback over Telegram: the real python-telegram-bot client against the fake
Bot API over HTTP, a real SQLite database and media store. A citizen speaks the description,
adds a one-line summary; the official opens the feedback and gets a playable voice message
whose bytes carry no tag of the citizen's phone; notes over the caps are refused with the caps
and the draft is kept."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Feedback, FeedbackVoice
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.officials import (
    HOAN_KIEM,
    feedback_walk,
    tg_become_official,
    tg_open,
)
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app
from tests.support.voices import assert_clean_voice, voice_note


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def _stored(db):
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).all()
        voices = (await session.exec(select(FeedbackVoice))).all()
    return feedback, voices


async def test_a_spoken_description_reaches_the_official_as_a_clean_voice_message(
        fast_settings, clock, db):
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa", language_code="vi")
        minh = fake.user(3001, first_name="Minh", language_code="vi")
        async with running_app(fast_settings, fake, clock) as app:
            citizen, official = TelegramDriver(app, fake, hoa), TelegramDriver(app, fake, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            walk_steps = feedback_walk(photos=0)
            await citizen.command("phananh")
            await walk(TelegramChat(citizen, albums=False), [walk_steps[0]])
            assert "Hãy mô tả sự việc" in hoa.last.text
            assert "tin nhắn thoại, tối đa 2 phút và 2 MB" in hoa.last.text  # the caps, stated

            await citizen.voice(voice_note(6), duration=6)
            assert "🎤 Đã nhận tin nhắn thoại (0:06)" in hoa.last.text
            assert "gõ một dòng tóm tắt" in hoa.last.text and "Bỏ qua" in hoa.last.buttons
            answered = await citizen.text("Đèn đường ngõ 12 hỏng")
            assert "Đã giữ tin nhắn thoại (0:06)" in answered[0].text
            await walk(TelegramChat(citizen, albums=False), walk_steps[2:])
            assert "🎤 Tin nhắn thoại 0:06 — «Đèn đường ngõ 12 hỏng»" in hoa.last.text
            await citizen.press("✅ Gửi")
            assert "PA-2026-000001" in hoa.last.text

            feedback, voices = await _stored(db)
            assert [f.text for f in feedback] == ["Đèn đường ngõ 12 hỏng"]
            assert [(v.feedback_id, v.duration_seconds, v.channel) for v in voices] == [
                (feedback[0].id, 6, "telegram")]
            kept = app.engine.services.media.objects.get(voices[0].path)
            assert_clean_voice(kept, seconds=6)

            await app.outbox.drain()
            assert "Phản ánh mới PA-2026-000001" in minh.last.text
            shown = await official.press("Mở")
            assert [m.kind for m in shown] == ["voice", "text"]
            sent = fake.calls_to("sendVoice")[-1]
            assert_clean_voice(sent.files["voice"].data, seconds=6)  # what left the server
            assert shown[0].voice["mime_type"] == "audio/ogg"
            assert shown[0].voice["duration"] == 6
            assert shown[0].plain_text == "PA-2026-000001 — tin nhắn thoại 1/1 (0:06)"
            assert "Hoa" not in (shown[0].plain_text or "") and "ẩn danh" in minh.last.text
            assert "🎤 Tin nhắn thoại: 1" in minh.last.text

            await tg_open(official, "PA-2026-000001")  # later: the clean upload's file id
            assert fake.calls_to("sendVoice")[-1].params["voice"] == shown[0].voice["file_id"]
        assert fake.errors == []


async def test_notes_over_the_caps_are_refused_with_the_caps_and_the_draft_is_kept(
        fast_settings, clock, db):
    capped = fast_settings.updated(voice_max_seconds=10,
                                   voice_max_bytes=200 * 1024)
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa", language_code="vi")
        async with running_app(capped, fake, clock) as app:
            citizen = TelegramDriver(app, fake, hoa)
            walk_steps = feedback_walk(photos=0)
            await citizen.command("phananh")
            await walk(TelegramChat(citizen, albums=False), [walk_steps[0]])
            assert "tối đa 10 giây và 0,2 MB" in hoa.last.text

            await citizen.voice(voice_note(14), duration=14)  # Telegram says how long
            refusal = hoa.last.text
            assert "Tin nhắn thoại dài quá: bot nhận tối đa 10 giây và 0,2 MB" in refusal
            assert "Những gì bạn đã nhập vẫn được giữ" in refusal
            assert "Hãy mô tả sự việc" in refusal  # the same question again
            await citizen.voice(voice_note(14), duration=3)  # the app says 3 s: it lies
            assert "Tin nhắn thoại dài quá" in hoa.last.text
            await citizen.voice(voice_note(9, tone=3000) * 8, duration=9)  # over 200 KB
            assert "Tệp ghi âm lớn quá: bot nhận tối đa 0,2 MB và 10 giây" in hoa.last.text
            assert fake.calls_to("getFile") and len(fake.calls_to("getFile")) == 1

            await walk(TelegramChat(citizen, albums=False), walk_steps[1:])
            assert "Hạ tầng" in hoa.last.text  # the category chosen before is still there
            await citizen.press("✅ Gửi")
            feedback, voices = await _stored(db)
            assert [f.category for f in feedback] == ["infrastructure"] and voices == []
            objects = app.engine.services.media.objects.list()
            assert [i.key for i in objects if i.key.endswith(".ogg")] == []
        assert fake.errors == []


async def test_an_official_who_refuses_voice_messages_gets_the_note_as_a_file(
        fast_settings, clock, db):
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa", language_code="vi")
        minh = fake.user(3001, first_name="Minh", language_code="vi")
        async with running_app(fast_settings, fake, clock) as app:
            citizen, official = TelegramDriver(app, fake, hoa), TelegramDriver(app, fake, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            walk_steps = feedback_walk(photos=0)
            await citizen.command("phananh")
            await walk(TelegramChat(citizen, albums=False), [walk_steps[0]])
            await citizen.voice(voice_note(3, kind="m4a"), duration=3)
            await citizen.press("Bỏ qua")
            await walk(TelegramChat(citizen, albums=False), walk_steps[2:])
            await citizen.press("✅ Gửi")
            await app.outbox.drain()
            fake.fail("sendVoice", 400, chat_id=minh.id,
                      description="Bad Request: VOICE_MESSAGES_FORBIDDEN")
            shown = await official.press("Mở")
            assert [m.kind for m in shown] == ["document", "text"]
            assert shown[0].document["file_name"] == "tin-nhan-thoai.ogg"
            assert_clean_voice(fake.calls_to("sendDocument")[-1].files["document"].data,
                               seconds=3)
            assert "Nội dung" in minh.last.text or "—" in minh.last.text
        feedback, voices = await _stored(db)
        assert feedback[0].text == "" and voices[0].duration_seconds == 3
