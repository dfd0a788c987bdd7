"""What the channel host does once for every channel (bot/channels/): one burst rule for photos,
each channel's real adapter against its fake platform over HTTP (the web chat against the real
web server), time moved on the injected clock, never slept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.web.metrics import Metrics
from bot.web.server import create_web_app
from storage.models import PracticePhoto
from tests.fakes.telegram_api import FakeTelegram, make_jpeg
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support import telegram_harness
from tests.support.channels import CHANNELS, walk_practice_until
from tests.support.chat_driver import ChatDriver, walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat, TelegramDriver
from tests.web.chat_client import WebChat, WebChatClient
from tests.zalo_bot import harness as zalo_harness
from tests.zalo_oa import harness as oa_harness

BURST_SECONDS = 2.0
AFTER_PHOTOS = [s.field for s in COMPLETE_PRACTICE].index("photos") + 1  # "Xong" after the photos


@dataclass
class Burst:
    """A chat on one channel, and how its person sends three photos at once there."""

    chat: ChatDriver
    send_three: Callable[[], Awaitable[None]]
    """Send three photos as the platform carries them, and wait until each was handled."""
    answers: Callable[[], list[str]]
    """The texts the person has received so far."""


@asynccontextmanager
async def burst_on(channel: str, settings, clock, db, services, engine  # noqa: ANN001
                   ) -> AsyncIterator[Burst]:
    settings = settings.model_copy(update={"photo_burst_seconds": BURST_SECONDS})
    if channel == "telegram":  # three photos, each its own message (not an album)
        async with FakeTelegram() as fake, \
                telegram_harness.running_app(settings, fake, clock) as app:
            lan = fake.user(1001, first_name="Lan", language_code="vi")

            async def send_three() -> None:
                for update_id in [lan.send_photo(make_jpeg()) for _ in range(3)]:
                    await app.telegram.wait_processed(update_id)

            yield Burst(TelegramChat(TelegramDriver(app, fake, lan)), send_three,
                        lambda: [m.text for m in lan.inbox])
    elif channel == "zalo_bot":  # Zalo sends each photo as a message of its own
        async with FakeZaloBot() as fake, zalo_harness.running_app(
                settings, clock, fake, photo_burst_seconds=BURST_SECONDS) as app:
            lan = fake.user("8412345", "Lan")

            async def send_three() -> None:
                for message_id in [lan.send_image() for _ in range(3)]:
                    await app.zalo.wait_processed(message_id)

            yield Burst(zalo_harness.ZaloBotChat(zalo_harness.ZaloDriver(app, fake, lan)),
                        send_three, lambda: [m.text or "" for m in lan.inbox])
    elif channel == "zalo_oa":  # three image messages, one after the other
        async with FakeZaloOA(clock) as fake, oa_harness.running_app(
                settings, clock, fake, refresh_token=fake.issue_refresh_token()) as app:
            lan = fake.user("8431756230985132475", "Lan")

            async def send_three() -> None:
                for key in [await lan.send_image(make_jpeg()) for _ in range(3)]:
                    await app.zalo_oa.wait_processed(key)

            yield Burst(oa_harness.ZaloOAChat(oa_harness.OADriver(app, fake, lan)), send_three,
                        lambda: [m.text or "" for m in lan.inbox])
    else:  # the page uploads the photos picked at once in one request
        relaxed = settings.model_copy(update={"web_chat_rate_per_minute": 1000})
        web_app = create_web_app(settings=relaxed, db=db, services=services, engine=engine,
                                 metrics=Metrics())
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
            page = WebChatClient(client)

            async def send_three() -> None:
                await page.photos(3)

            yield Burst(WebChat(page), send_three,
                        lambda: [b.text for b in page.transcript if b.kind == "bot"])


@pytest.mark.parametrize("channel", CHANNELS)
async def test_photos_sent_at_once_get_one_answer_on_every_channel(
        channel, settings, clock, db, services, engine):  # noqa: ANN001
    async with burst_on(channel, settings, clock, db, services, engine) as burst:
        await walk_practice_until(burst.chat, "photos")
        before = len(burst.answers())
        await burst.send_three()
        if channel != "web":  # a channel that can write later waits for the burst to end
            assert burst.answers()[before:] == []
            await clock.pass_time(seconds=BURST_SECONDS - 0.5)
            assert burst.answers()[before:] == []  # not over yet
            await clock.pass_time(seconds=0.5)
        [answer] = burst.answers()[before:]
        assert "Đã có 3/" in answer, answer  # all three counted, in one answer
        await walk(burst.chat, COMPLETE_PRACTICE[AFTER_PHOTOS:])
        assert "3 ảnh" in burst.chat.last_text
        await burst.chat.press("Gửi")
        assert "Mã tiếp nhận: MH-2026-000001" in burst.chat.last_text

    async with db.session() as session:  # every photo of the burst kept with the practice
        photos = (await session.exec(select(PracticePhoto))).all()
    assert len(photos) == 3 and {p.channel for p in photos} == {channel}
