"""A leader submits a practice over the Zalo OA, end to end: signed webhooks in, the real
product in the middle, the OA Open API (a fake over HTTP) out. Choices are buttons (5 at most;
more are numbered lines), the location is a Zalo location event, photos arrive as one message."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage.models import Practice, PracticePhoto
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.zalo_oa.harness import OADriver, ZaloOAChat, running_app


async def test_practice_over_the_oa_with_buttons_location_and_photos(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        lan = fake.user("8431756230985132475", "Lan")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            driver = OADriver(app, fake, lan)
            [welcome] = await driver.follow()
            assert "Dân vận khéo" in welcome.text
            assert not welcome.buttons and "1. " in welcome.text  # 7 entries: numbered lines
            await driver.text("1")
            question = driver.last
            assert "Ai gửi mô hình này?" in question.text
            assert question.titles == ["Tập thể", "Cá nhân"]
            assert all(p.isascii() and len(p) < 100 for _, p in question.buttons)
            await walk(ZaloOAChat(driver), COMPLETE_PRACTICE)
            summary = driver.last_text
            assert "Tiếng kẻng an ninh thôn" in summary and "3 ảnh" in summary
            await driver.press("✅ Gửi")
            receipt = driver.last_text
        assert fake.errors == []
        assert all(len(m.buttons) <= 5 for m in lan.inbox)

    assert "Mã tiếp nhận: MH-2026-000001" in receipt
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        photos = (await session.exec(select(PracticePhoto))).all()
    assert practice.title == "Tiếng kẻng an ninh thôn" and practice.commune_code == "00367"
    assert (practice.latitude, practice.longitude) == (21.0008, 105.8123)
    assert len(photos) == 3 and {p.channel for p in photos} == {"zalo_oa"}
    assert all((Path(settings.media.dir) / p.path).exists() for p in photos)
