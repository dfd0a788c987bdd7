"""A leader submits a practice on Telegram, end to end, through the real python-telegram-bot
client talking HTTP to the fake Bot API, with a restart in the middle."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage.models import Practice, PracticePhoto
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE, Step
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app


async def test_submission_with_album_location_and_restart(settings, clock, db):
    half = COMPLETE_PRACTICE.index(Step("commune", "text", "thanh xuan"))
    async with FakeTelegram() as fake:
        lan = fake.user(1001, first_name="Lan", username="lan_thon3", language_code="vi")
        async with running_app(settings, fake, clock) as app:
            driver = TelegramDriver(app, fake, lan)
            await driver.command("start")
            assert "Dân vận khéo" in lan.last.text and "Gửi mô hình" in lan.last.buttons[0]
            await driver.press("📝 Gửi mô hình")
            assert "Ai gửi mô hình này?" in lan.last.text
            await walk(TelegramChat(driver), COMPLETE_PRACTICE[:half])
            assert "xã, phường, đặc khu" in lan.last.text

        # A new application on the same database continues where the leader was.
        async with running_app(settings, fake, clock) as app:
            driver = TelegramDriver(app, fake, lan)
            await walk(TelegramChat(driver), COMPLETE_PRACTICE[half:])
            summary = lan.last
            assert "Tiếng kẻng an ninh thôn" in summary.text and "3 ảnh" in summary.text
            await driver.press("✅ Gửi")
            receipt = lan.last.text
        assert fake.errors == []

    assert "Mã tiếp nhận: MH-2026-000001" in receipt
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        photos = (await session.exec(select(PracticePhoto))).all()
    assert practice.code == "MH-2026-000001" and practice.title == "Tiếng kẻng an ninh thôn"
    assert practice.commune_code == "00367"
    assert (practice.latitude, practice.longitude) == (21.0008, 105.8123)
    assert len(photos) == 3 and all(p.platform_file_id for p in photos)
    for photo in photos:
        stored = Path(settings.media.dir) / photo.path
        assert stored.exists() and stored.stat().st_size == photo.size_bytes
        assert stored.read_bytes() == fake.file_bytes(photo.platform_file_id)
