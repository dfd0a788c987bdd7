"""The Telegram webhook, end to end: the real App in webhook mode behind our aiohttp server,
python-telegram-bot answering through the fake Bot API. Updates are POSTed as Telegram would."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import App
from bot.telegram.webhook import SECRET_HEADER
from tests.fakes.telegram_api import FakeTelegram

SECRET = "s3cret-Token_42"
PUBLIC_URL = "https://bot.example.test/telegram/webhook"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def app(settings, fake, clock) -> AsyncIterator[App]:
    configured = settings.updated(
        telegram_bot_token=SecretStr(fake.token),
        telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.file_base_url,
        webhook_url=PUBLIC_URL,
        webhook_secret=SecretStr(SECRET),
    )
    product = App(configured, clock=clock)
    await product.start()
    yield product
    await product.stop()


async def post(app: App, body: bytes | dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    kwargs = {"json": body} if isinstance(body, dict) else {"data": body}
    async with aiohttp.ClientSession() as session, session.post(
            f"{app.web.url}telegram/webhook", headers=headers, **kwargs) as response:
        return response.status


async def test_start_registers_the_webhook_with_its_secret_instead_of_polling(app, fake):
    assert fake.webhook is not None
    assert fake.webhook["url"] == PUBLIC_URL
    assert fake.webhook["secret_token"] == SECRET
    assert fake.calls_to("getUpdates") == []


async def test_only_updates_with_the_right_secret_are_processed(app, fake):
    lan = fake.user(1001, "Lan")
    start = fake.raw_update(lan.send_text("/start"))

    assert await post(app, start, secret=None) == 401
    assert await post(app, start, secret="wrong-secret") == 403
    assert await post(app, start, secret=SECRET.upper()) == 403
    assert await post(app, start, secret=SECRET) == 200
    await app.telegram.wait_processed(start["update_id"])

    [reply] = await lan.wait_for_message(since=0)
    assert "Bạn muốn làm gì?" in reply.text  # answered once: the rejected posts did nothing
    assert app.metrics.updates_processed.value("telegram") == 1


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b'"text"', b'{"update_id": "7"}',
                                  b'{"message": {}}', b"[" * 100_000, b"\xff\xfe"])
async def test_a_body_that_is_not_an_update_is_a_400(app, body):
    assert await post(app, body, secret=SECRET) == 400


async def test_the_same_update_three_times_is_processed_and_counted_once(app, fake):
    lan = fake.user(1001, "Lan")
    submit = fake.raw_update(lan.send_text("/submit"))
    assert await post(app, submit, secret=SECRET) == 200
    assert await post(app, submit, secret=SECRET) == 200  # Telegram retrying after a timeout
    assert await post(app, submit, secret=SECRET) == 200  # and once more
    after = fake.raw_update(lan.send_text("/help"))
    assert await post(app, after, secret=SECRET) == 200
    await app.telegram.wait_processed(after["update_id"])  # one chat: handled in order

    replies = await lan.wait_for_message(count=2, since=0)
    assert "Ai gửi mô hình này?" in replies[0].text
    assert "/help" not in replies[1].text and len(lan.inbox) == 2
    async with aiohttp.ClientSession() as session, session.get(
            f"{app.web.url}metrics") as response:
        text = await response.text()
    assert 'dvk_updates_processed_total{channel="telegram"} 2' in text  # copies not counted
