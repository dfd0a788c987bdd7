"""A practice described by voice, over Telegram: the leader speaks the description (a one-line
summary is what the public map will show), the official reviewing it hears the clean note, asks
for the description again, and the leader's new note replaces the old one; erasing the
leader's data takes the note and its file."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Practice
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.officials import THANH_XUAN, tg_become_official
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app
from tests.support.voices import assert_clean_voice, voice_note


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def _practice(db) -> Practice:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Practice))).one()


async def test_a_spoken_description_reaches_the_reviewer_and_can_be_spoken_again(
        fast_settings, clock, db):
    async with FakeTelegram() as fake:
        lan, tuan = fake.user(1001, first_name="Lan"), fake.user(3001, first_name="Tuấn")
        async with running_app(fast_settings, fake, clock) as app:
            media = app.engine.services.media
            leader, official = TelegramDriver(app, fake, lan), TelegramDriver(app, fake, tuan)
            await tg_become_official(official, db, clock, unit=THANH_XUAN)
            await leader.command("mohinh")
            for step in COMPLETE_PRACTICE:
                if step.field == "description":
                    assert "hoặc gửi tin nhắn thoại, tối đa 2 phút và 2 MB" in lan.last.text
                    await leader.voice(voice_note(5, kind="m4a"), duration=5)
                    assert "Đã nhận tin nhắn thoại (0:05)" in lan.last.text
                    await leader.text("Đánh kẻng nhắc đóng cửa mỗi tối")
                else:
                    await walk(TelegramChat(leader, albums=False), [step])
            assert "🎤 Tin nhắn thoại 0:05 — «Đánh kẻng nhắc đóng cửa mỗi tối»" in lan.last.text
            await leader.press("✅ Gửi")
            assert "MH-2026-000001" in lan.last.text
            practice = await _practice(db)
            first = practice.answers["description_voice"]
            assert practice.description == "Đánh kẻng nhắc đóng cửa mỗi tối"
            assert first["duration_seconds"] == 5 and media.objects.exists(first["path"])

            await app.outbox.drain()  # the notice of the new practice, before the inbox
            assert "MH-2026-000001" in tuan.last.text
            await official.command("hopthu")
            shown = await official.press("📝 MH-2026-000001")
            assert [m.kind for m in shown] == ["photo"] * 3 + ["voice", "text"]
            assert shown[3].plain_text == "MH-2026-000001 — tin nhắn thoại 1/1 (0:05)"
            assert_clean_voice(fake.calls_to("sendVoice")[-1].files["voice"].data, seconds=5)
            assert "Lan" not in shown[3].plain_text

            await official.press("✏️ Yêu cầu sửa")
            await official.press("▫️ Mô tả")
            await official.press("➡️ Xong, viết ghi chú")
            await official.text("Nói rõ hơn ai đánh kẻng và vào giờ nào.")
            await official.press("✅ Gửi")
            await app.outbox.drain()
            await leader.press("✏️ Sửa mô hình")
            assert "Mô tả ngắn gọn mô hình" in lan.last.text
            await leader.voice(voice_note(7, kind="m4a", tone=520), duration=7)
            await leader.press("Bỏ qua")
            assert "Kiểm tra lại mô hình" in lan.last.text
            assert "🎤 Tin nhắn thoại 0:07" in lan.last.text
            await leader.press("✅ Gửi")
            assert "Đã gửi lại mô hình MH-2026-000001" in lan.last.text
            second = (await _practice(db)).answers["description_voice"]
            assert second["duration_seconds"] == 7 and second["path"] != first["path"]

            await leader.command("xoadulieu")
            await leader.press("Xoá vĩnh viễn")
            assert "Đã xoá dữ liệu của bạn" in lan.last.text
            assert "description_voice" not in (await _practice(db)).answers
            assert not media.objects.exists(second["path"])
        assert fake.errors == []
