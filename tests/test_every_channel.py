"""The same conversation through all four channels: a leader opens the bot, submits a complete
practice (tests/support/practice_walk.py) and gets its receipt; the stored practice is the same
whichever channel carried it. Each channel runs its real adapter against its fake platform over
HTTP (the web chat against the real web server), driven through one `ChatDriver` protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.web.metrics import Metrics
from bot.web.server import create_web_app
from storage.models import Practice, PracticePhoto
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support import telegram_harness
from tests.support.chat_driver import ChatDriver, walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat
from tests.web.chat_client import WebChat, WebChatClient
from tests.zalo_bot import harness as zalo_harness
from tests.zalo_oa import harness as oa_harness


@asynccontextmanager
async def chat_on(channel: str, settings, clock, db, services, engine  # noqa: ANN001
                  ) -> AsyncIterator[ChatDriver]:
    if channel == "telegram":
        async with FakeTelegram() as fake:
            lan = fake.user(1001, first_name="Lan", username="lan_thon3", language_code="vi")
            async with telegram_harness.running_app(settings, fake, clock) as app:
                yield TelegramChat(telegram_harness.TelegramDriver(app, fake, lan))
    elif channel == "zalo_bot":
        async with FakeZaloBot() as fake:
            lan = fake.user("8412345", "Lan")
            async with zalo_harness.running_app(settings, clock, fake) as app:
                yield zalo_harness.ZaloBotChat(zalo_harness.ZaloDriver(app, fake, lan))
            assert fake.errors == [], fake.errors
    elif channel == "zalo_oa":
        async with FakeZaloOA(clock) as fake:
            lan = fake.user("8431756230985132475", "Lan")
            async with oa_harness.running_app(settings, clock, fake,
                                              refresh_token=fake.issue_refresh_token()) as app:
                yield oa_harness.ZaloOAChat(oa_harness.OADriver(app, fake, lan))
            assert fake.errors == []
    else:
        relaxed = settings.model_copy(update={"web_chat_rate_per_minute": 1000,
                                              "web_chat_new_sessions_per_hour": 1000})
        web_app = create_web_app(settings=relaxed, db=db, services=services, engine=engine,
                                 metrics=Metrics())
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
            yield WebChat(WebChatClient(client))


@pytest.mark.parametrize("channel", ["telegram", "zalo_bot", "zalo_oa", "web"])
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
        stored = Path(settings.media_dir) / photo.path
        assert stored.exists() and stored.stat().st_size == photo.size_bytes
