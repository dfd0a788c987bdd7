"""One conversation, three channels: what tests of a flow need of Telegram, Zalo Bot and the web
chat alike (type, walk a step, start the practice form, send it, read the last answer), each
over its real adapter and fake platform."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web.metrics import Metrics
from bot.web.server import create_web_app
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support.practice_walk import COMPLETE_PRACTICE, Step
from tests.support.telegram_harness import TelegramDriver
from tests.support.telegram_harness import running_app as telegram_app
from tests.telegram.test_submit_practice_e2e import do as telegram_do
from tests.web.chat_client import WebChatClient
from tests.zalo_bot.harness import ZaloDriver
from tests.zalo_bot.harness import do as zalo_do
from tests.zalo_bot.harness import running_app as zalo_app


@dataclass
class Chat:
    """What these tests need of any channel: send text, walk a step, read the last answer."""

    text: Callable[[str], Awaitable[object]]
    step: Callable[[Step], Awaitable[None]]
    start: Callable[[], Awaitable[object]]
    send: Callable[[], Awaitable[object]]
    last: Callable[[], str]


@asynccontextmanager
async def telegram_chat(settings, clock, web_app, aiohttp_client) -> AsyncIterator[Chat]:
    async with FakeTelegram() as fake:
        user = fake.user(3003, first_name="Hoa")
        async with telegram_app(settings, fake, clock) as app:
            driver = TelegramDriver(app, fake, user)
            yield Chat(driver.text, lambda step: telegram_do(driver, step),
                       lambda: driver.command("mohinh"), lambda: driver.press("✅ Gửi"),
                       lambda: user.last.text)
        assert fake.errors == []


@asynccontextmanager
async def zalo_chat(settings, clock, web_app, aiohttp_client) -> AsyncIterator[Chat]:
    async with FakeZaloBot() as fake:
        user = fake.user("9003", "Hoa")
        async with zalo_app(settings, clock, fake) as app:
            driver = ZaloDriver(app, fake, user)
            yield Chat(driver.text, lambda step: zalo_do(driver, step),
                       lambda: driver.command("mohinh"), lambda: driver.pick("Gửi"),
                       lambda: driver.last.text)
        assert fake.errors == []


@asynccontextmanager
async def web_chat(settings, clock, web_app, aiohttp_client) -> AsyncIterator[Chat]:
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        chat = WebChatClient(client)
        yield Chat(chat.text, chat.do, lambda: chat.text("/mohinh"),
                   lambda: chat.press("✅ Gửi"), lambda: chat.last.text)


CHANNELS = {"telegram": telegram_chat, "zalo_bot": zalo_chat, "web": web_chat}


@pytest.fixture(params=list(CHANNELS))
def open_chat(request, settings, clock, db, services, engine):  # noqa: ANN001
    web_app = create_web_app(settings=settings, db=db, services=services, engine=engine,
                             metrics=Metrics())
    return lambda: CHANNELS[request.param](settings, clock, web_app, None)


async def walk_until(chat: Chat, field: str) -> None:
    """Start the practice form and answer every question before `field`."""
    await chat.start()
    for step in COMPLETE_PRACTICE:
        if step.field == field:
            return
        await chat.step(step)
