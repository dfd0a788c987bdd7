"""Answers sent before their question are kept, end to end on all four channels: a photo sent
while the bot asks for the description, and a place sent while it asks "rõ người", are not
refused; the question is asked again, and the photo and the place are there when their own
questions come, without being sent again."""

from __future__ import annotations

from sqlmodel import select

from storage.models import FeedbackPhoto, Practice, PracticePhoto
from tests.support.channels import channel_chat, walk_practice_until
from tests.support.chat_driver import walk
from tests.support.officials import feedback_walk
from tests.support.practice_walk import COMPLETE_PRACTICE, SELF_ASSESSMENT

__all__ = ["channel_chat"]  # the fixture, parametrised over the channels

THANH_XUAN = (21.0008, 105.8123)


async def test_a_photo_and_a_place_sent_early_are_kept_for_their_questions(channel_chat, db):
    async with channel_chat() as chat:
        await walk_practice_until(chat, "description")
        await chat.photos(1)
        assert "sẽ đính kèm ở bước ảnh" in chat.last_text
        assert "Mô tả ngắn gọn mô hình" in chat.last_text  # the same question again
        description = next(s for s in COMPLETE_PRACTICE if s.field == "description")
        await walk(chat, [description])
        await chat.location(*THANH_XUAN)
        assert "Đã giữ vị trí, sẽ dùng ở bước vị trí" in chat.last_text
        assert "Rõ người" in chat.last_text

        rest = [s for s in COMPLETE_PRACTICE[COMPLETE_PRACTICE.index(description) + 1:]
                if s.field not in ("location", "photos") and s not in SELF_ASSESSMENT]
        await walk(chat, rest)
        # The place was taken at its question, the photo counted at the photo question.
        asked = chat.last_text
        assert "📍 Đã ghi vị trí: 21.00080, 105.81230" in asked
        assert "1 ảnh bạn gửi trước đã được đính kèm" in asked and "1/10" in asked
        await chat.press("Xong")
        await walk(chat, SELF_ASSESSMENT)
        assert "Kiểm tra lại mô hình" in chat.last_text and "1 ảnh" in chat.last_text
        await chat.press("Gửi")
        assert "MH-2026-000001" in chat.last_text

    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        photos = (await session.exec(select(PracticePhoto))).all()
    assert (practice.latitude, practice.longitude) == THANH_XUAN
    assert len(photos) == 1


async def test_a_photo_sent_at_the_feedback_description_is_stored_with_the_feedback(
        channel_chat, db):
    async with channel_chat() as chat:
        await chat.open_menu()
        await chat.press("Gửi phản ánh")
        await walk(chat, feedback_walk(photos=0)[:1])  # the category
        assert "Hãy mô tả sự việc" in chat.last_text
        await chat.photos(1)
        assert "sẽ đính kèm ở bước ảnh" in chat.last_text
        assert "Hãy mô tả sự việc" in chat.last_text
        steps = feedback_walk(photos=0)
        await walk(chat, steps[1:2])  # the description
        assert "1 ảnh bạn gửi trước đã được đính kèm" in chat.last_text
        await chat.press("Xong")
        await walk(chat, [s for s in steps[2:] if s.field != "photos"])
        await chat.press("Gửi")
        assert "PA-2026-000001" in chat.last_text
    async with db.session() as session:
        photos = (await session.exec(select(FeedbackPhoto))).all()
    assert len(photos) == 1
