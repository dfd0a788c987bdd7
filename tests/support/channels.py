"""Every channel behind one `ChatDriver` (tests/support/chat_driver.py): its real adapter against
its fake platform over HTTP (the web chat against the real web server), so a conversation
written once runs on each. `channel_chat` is the fixture for tests that take every channel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.web.metrics import Metrics
from bot.webchat.notices import WebNoticeSender
from scheduler.outbox import OutboxWorker
from storage.repositories.web_notices import WebNoticeStore
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support import telegram_harness
from tests.support.chat_driver import ChatDriver, walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat
from tests.support.web_app import create_web_app
from tests.web.chat_client import WebChat, WebChatClient
from tests.zalo_bot import harness as zalo_harness
from tests.zalo_oa import harness as oa_harness

CHANNELS = ["telegram", "zalo_bot", "zalo_oa", "web"]


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
        relaxed = settings.updated(web_chat_rate_per_minute=1000,
                                   web_chat_new_sessions_per_hour=1000)
        web_app = create_web_app(settings=relaxed, db=db, services=services, engine=engine,
                                 metrics=Metrics())
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
            notices = WebNoticeSender(WebNoticeStore(db), clock)
            yield WebChat(WebChatClient(client),
                          drain=lambda: OutboxWorker(db, {"web": notices}, clock).drain())


class People:
    """`person("Hoa")`: a new person's chat on the channel (each name once). `await
    person.settle()`: deliver what the bot queued on its own (an official's notice of new
    feedback), so it cannot arrive in the middle of a later exchange."""

    def __init__(self, make: Callable[[str], ChatDriver],
                 drain: Callable[[], Awaitable[object]] | None = None) -> None:
        self._make, self._drain = make, drain

    def __call__(self, name: str) -> ChatDriver:
        return self._make(name)

    async def settle(self) -> None:
        if self._drain is not None:
            await self._drain()


@asynccontextmanager
async def people_on(channel: str, settings, clock, db, services, engine  # noqa: ANN001
                    ) -> AsyncIterator[People]:
    """Several people on one channel (a citizen and an official), each in their own chat,
    through the same running adapter and fake platform."""
    if channel == "telegram":
        async with FakeTelegram() as fake, \
                telegram_harness.running_app(settings, fake, clock) as app:
            ids = iter(range(2001, 3000))
            yield People(lambda name: TelegramChat(telegram_harness.TelegramDriver(
                app, fake, fake.user(next(ids), first_name=name, language_code="vi"))),
                app.outbox.drain)
    elif channel == "zalo_bot":
        async with FakeZaloBot() as fake, zalo_harness.running_app(settings, clock, fake) as app:
            ids = iter(range(8_412_001, 8_413_000))
            yield People(lambda name: zalo_harness.ZaloBotChat(zalo_harness.ZaloDriver(
                app, fake, fake.user(str(next(ids)), name))), app.outbox.drain)
            assert fake.errors == [], fake.errors
    elif channel == "zalo_oa":
        async with FakeZaloOA(clock) as fake, oa_harness.running_app(
                settings, clock, fake, refresh_token=fake.issue_refresh_token()) as app:
            ids = iter(range(8_431_756_230_985_132_001, 8_431_756_230_985_133_000))
            yield People(lambda name: oa_harness.ZaloOAChat(oa_harness.OADriver(
                app, fake, fake.user(str(next(ids)), name))), app.outbox.drain)
            assert fake.errors == []
    else:
        relaxed = settings.updated(web_chat_rate_per_minute=1000,
                                   web_chat_new_sessions_per_hour=1000)
        web_app = create_web_app(settings=relaxed, db=db, services=services, engine=engine,
                                 metrics=Metrics())
        async with TestServer(web_app, host="127.0.0.1") as server, AsyncExitStack() as stack:
            def person(name: str) -> ChatDriver:
                # each person their own browser: their own cookie jar, so their own session
                session = ClientSession(base_url=str(server.make_url("/")),
                                        cookie_jar=CookieJar(unsafe=True))
                stack.push_async_callback(session.close)
                return WebChat(WebChatClient(session))

            yield People(person)  # notices wait in the database until the page asks


@pytest.fixture(params=CHANNELS)
def channel_chat(request, settings, clock, db, services, engine  # noqa: ANN001
                 ) -> Callable[[], AbstractAsyncContextManager[ChatDriver]]:
    """`async with channel_chat() as chat:` — a chat on each channel in turn."""
    return lambda: chat_on(request.param, settings, clock, db, services, engine)


async def walk_practice_until(chat: ChatDriver, field: str) -> None:
    """Open the practice form and answer every question before `field`."""
    await chat.open_menu()
    await chat.press("Gửi mô hình")
    await walk(chat, COMPLETE_PRACTICE[:[s.field for s in COMPLETE_PRACTICE].index(field)])


@pytest.fixture(params=CHANNELS)
def channel_people(request, settings, clock, db, services, engine  # noqa: ANN001
                   ) -> Callable[[], AbstractAsyncContextManager[People]]:
    """`async with channel_people() as person:` — several people on each channel in turn."""
    return lambda: people_on(request.param, settings, clock, db, services, engine)
