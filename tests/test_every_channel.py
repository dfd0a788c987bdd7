"""The same conversation through all four channels: a leader opens the bot, submits a complete
practice (tests/support/practice_walk.py) and gets its receipt; the stored practice is the same
whichever channel carried it. Each channel runs its real adapter against its fake platform over
HTTP (the web chat against the real web server), driven through one `ChatDriver` protocol."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from storage.models import Practice, PracticePhoto
from tests.support.channels import CHANNELS, chat_on
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE


@pytest.mark.parametrize("channel", CHANNELS)
async def test_one_practice_submitted_the_same_way_on_every_channel(
        channel, settings, clock, db, services, engine):  # noqa: ANN001
    async with chat_on(channel, settings, clock, db, services, engine) as chat:
        await chat.open_menu()
        assert "Gửi mô hình" in chat.last_text or "Dân vận khéo" in chat.last_text
        await chat.press("Gửi mô hình")
        assert "Ai gửi mô hình này?" in chat.last_text
        await walk(chat, COMPLETE_PRACTICE)
        summary = chat.last_text
        assert "Tiếng kẻng an ninh thôn" in summary and "3 ảnh" in summary
        await chat.press("Gửi")
        assert "Mã tiếp nhận: MH-2026-000001" in chat.last_text

    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        photos = (await session.exec(select(PracticePhoto))).all()
    assert practice.title == "Tiếng kẻng an ninh thôn"
    assert practice.commune_code == "00367" and practice.village == "Tổ dân phố số 5"
    assert (practice.latitude, practice.longitude) == (21.0008, 105.8123)
    assert practice.people_mobilised == 250 and practice.contribution_money_vnd == 15_000_000
    assert len(photos) == 3 and {p.channel for p in photos} == {channel}
    for photo in photos:
        stored = Path(settings.media.dir) / photo.path
        assert stored.exists() and stored.stat().st_size == photo.size_bytes
