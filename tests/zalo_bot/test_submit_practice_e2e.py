"""A leader submits a practice on Zalo, end to end: our aiohttp client long-polls the fake Zalo
Bot API over HTTP; choices are typed numbers, the place a pasted Google Maps link, the photos
downloaded from Zalo's URLs at once."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage.models import Practice, PracticePhoto
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.zalo_bot.harness import ZaloBotChat, ZaloDriver, numbered_options, running_app


async def test_complete_practice_over_zalo(settings, clock, db):
    async with FakeZaloBot() as fake:
        lan = fake.user("8412345", "Lan")
        async with running_app(settings, clock, fake) as app:
            driver = ZaloDriver(app, fake, lan)
            [menu] = await driver.text("xin chào")
            assert "Bạn muốn làm gì?" in menu.text
            assert "📝 Gửi mô hình" in numbered_options(menu).values()
            await driver.pick("Gửi mô hình")
            question = lan.last.text
            assert "Ai gửi mô hình này?" in question
            assert "1. Tập thể" in question and "👉 Gõ số từ 1 đến" in question
            await walk(ZaloBotChat(driver), COMPLETE_PRACTICE)
            summary = lan.last.text
            assert "Tiếng kẻng an ninh thôn" in summary and "3 ảnh" in summary
            await driver.pick("Gửi")
            receipt = lan.last.text
        assert fake.errors == [], fake.errors

    assert "Mã tiếp nhận: MH-2026-000001" in receipt
    assert all(1 <= len(m.text or "x") <= 2000 for m in lan.inbox)
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        photos = (await session.exec(select(PracticePhoto))).all()
    assert practice.commune_code == "00367"
    assert (practice.latitude, practice.longitude) == (21.0008, 105.8123)
    assert len(photos) == 3 and {p.channel for p in photos} == {"zalo_bot"}
    for photo in photos:
        stored = Path(settings.media.dir) / photo.path
        assert stored.exists() and stored.stat().st_size == photo.size_bytes
