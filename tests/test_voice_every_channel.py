"""Voice notes on all four channels (the real adapter against each fake platform over HTTP,
the web chat against the real server): a note answers the feedback's description, with a
one-line summary; a note sent before its question is kept for it. What is stored is the clean
note, beside the feedback, under the channel it came from."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Feedback, FeedbackVoice
from tests.support.channels import channel_chat
from tests.support.chat_driver import walk
from tests.support.officials import feedback_walk
from tests.support.voices import assert_clean_voice, voice_note

__all__ = ["channel_chat"]  # the fixture, parametrised over the channels


async def _stored(db):  # noqa: ANN001, ANN202
    async with db.session() as session:
        return ((await session.exec(select(Feedback))).all(),
                (await session.exec(select(FeedbackVoice))).all())


async def test_a_voice_note_answers_the_description(channel_chat, db, services):
    steps = feedback_walk(photos=0)
    async with channel_chat() as chat:
        await chat.open_menu()
        await chat.press("Gửi phản ánh")
        await walk(chat, steps[:1])  # the category
        assert "hoặc gửi tin nhắn thoại, tối đa 2 phút và 2 MB" in chat.last_text
        await chat.voice(voice_note(3, kind="m4a"), 3)
        assert "🎤 Đã nhận tin nhắn thoại (0:03)" in chat.last_text
        assert "gõ một dòng tóm tắt (tối đa 200 ký tự), hoặc gõ Bỏ qua" in chat.last_text
        await chat.text("Đèn   đường ngõ 12\nhỏng")  # one line, spaces tidied
        await walk(chat, steps[2:])
        assert "🎤 Tin nhắn thoại 0:03 — «Đèn đường ngõ 12 hỏng»" in chat.last_text
        await chat.press("Gửi")
        assert "PA-2026-000001" in chat.last_text
        channel = (await _stored(db))[1][0].channel
    [feedback], [note] = await _stored(db)
    assert feedback.text == "Đèn đường ngõ 12 hỏng" and note.feedback_id == feedback.id
    assert (note.duration_seconds, note.channel) == (3, channel)
    assert_clean_voice(services.media.objects.get(note.path), seconds=3)


async def test_a_voice_note_sent_before_the_description_is_kept_for_it(
        channel_chat, db, services):
    steps = feedback_walk(photos=0)
    async with channel_chat() as chat:
        await chat.open_menu()
        await chat.press("Gửi phản ánh")
        await chat.voice(voice_note(2), 2)  # while the bot asks what it is about
        assert "Đã giữ tin nhắn thoại (0:02), sẽ đính kèm ở bước mô tả" in chat.last_text
        assert "Phản ánh của bạn về vấn đề gì?" in chat.last_text  # the same question
        await walk(chat, steps[:1])
        assert "Đã có tin nhắn thoại (0:02) bạn gửi trước đó" in chat.last_text
        assert "gõ một dòng tóm tắt" in chat.last_text
        await chat.press("Bỏ qua")
        await walk(chat, steps[2:])
        await chat.press("Gửi")
        assert "PA-2026-000001" in chat.last_text
    [feedback], [note] = await _stored(db)
    assert (feedback.text, note.duration_seconds) == ("", 2)
