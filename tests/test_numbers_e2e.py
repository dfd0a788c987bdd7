"""Numbers and money as people type them, end to end on Telegram, Zalo Bot and the web chat: a
date, a time or a phone number where a count is asked is refused by name and asked again; a sum
written "200 triệu", "1,5 tỷ", "2.500.000" or in words is stored in đồng and said back in words."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.web.metrics import Metrics
from bot.web.server import create_web_app
from storage.models import Conversation, Practice
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
    await chat.start()
    for step in COMPLETE_PRACTICE:
        if step.field == field:
            return
        await chat.step(step)


async def stored_answer(db, field: str) -> object:  # noqa: ANN001
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
    return conversation.data["answers"].get(field)


@pytest.mark.parametrize(("typed", "named"), [
    ("15/03/2026", "ngày tháng"), ("21h30", "giờ"), ("0912 345 678", "số điện thoại")])
async def test_a_date_time_or_phone_where_a_count_is_asked_is_refused_by_name(
        open_chat, db, typed, named):
    async with open_chat() as chat:
        await walk_until(chat, "contribution_workdays")
        question = chat.last()
        await chat.text(typed)
        answer = chat.last()
        assert f"Đây có vẻ là {named}" in answer and "Số ngày công" in answer, answer
        assert await stored_answer(db, "contribution_workdays") is None
        await chat.text("120 ngày công")
        assert await stored_answer(db, "contribution_workdays") == 120
        assert "Số ngày công" in question


@pytest.mark.parametrize(("typed", "stored", "words"), [
    ("200 triệu", 200_000_000, "hai trăm triệu đồng"),
    ("1,5 tỷ", 1_500_000_000, "một tỷ năm trăm triệu đồng"),
    ("2.500.000", 2_500_000, "hai triệu năm trăm nghìn đồng"),
    ("hai trăm triệu đồng", 200_000_000, "hai trăm triệu đồng"),
])
async def test_money_typed_as_people_write_it_is_stored_in_dong(open_chat, db, typed, stored,
                                                                  words):
    async with open_chat() as chat:
        await walk_until(chat, "contribution_money_vnd")
        await chat.text(typed)
        assert f"Đã hiểu: {stored:,} đồng ({words})".replace(",", ".") in chat.last()
        rest = COMPLETE_PRACTICE[[s.field for s in COMPLETE_PRACTICE].index(
            "contribution_money_vnd") + 1:]
        for step in rest:
            await chat.step(step)
        assert f"{stored:,} đồng ({words})".replace(",", ".") in chat.last()  # the summary
        await chat.send()
        assert "MH-2026-000001" in chat.last()
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
    assert practice.contribution_money_vnd == stored

