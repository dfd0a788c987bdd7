"""The fake Zalo Bot API keeps the platform's contract (ZALO-NOTES §1.7), and our client reads
it right: envelope, errors, limits, one update per poll, webhooks only to public https URLs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
import pytest

from bot.channels.retry import ReplyRetry
from bot.web.signed_media import SignedMediaUrls
from bot.zalo_bot.client import ZaloApiError, ZaloBotClient, ZaloNetworkError
from bot.zalo_bot.render import ZaloRenderer
from handlers.clock import ManualClock
from handlers.replies import Option, TextReply
from tests.fakes.zalo_bot_api import FakeZaloBot


@pytest.fixture
async def fake():
    async with FakeZaloBot() as server:
        yield server


@pytest.fixture
async def client(fake: FakeZaloBot):
    bot = ZaloBotClient(fake.token, fake.base_url)
    await bot.start()
    yield bot
    await bot.close()


async def raw(fake: FakeZaloBot, method: str, token: str | None = None,
              **params: object) -> tuple[int, dict]:
    url = f"{fake.base_url}{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, json=params) as response:
        return response.status, await response.json()


async def test_envelope_and_errors(fake: FakeZaloBot):
    assert await raw(fake, "getMe") == (200, {"ok": True, "result": fake.me})
    assert await raw(fake, "getMe", token="123:wrong") == (
        401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await raw(fake, "getme")  # method names are case-sensitive
    assert (status, body["description"]) == (400, "Bad request - invalid API name")
    status, body = await raw(fake, "sendMessage", chat_id="1")
    assert (status, body["description"]) == (400, "text is required")
    for text in ("", "x" * 2001):
        status, body = await raw(fake, "sendMessage", chat_id="1", text=text)
        assert status == 400, len(text)
    assert (await raw(fake, "sendMessage", chat_id="1", text="x" * 2000))[0] == 200
    status, body = await raw(fake, "sendChatAction", chat_id="1", action="typing")
    assert (status, body) == (200, {"ok": True})
    fake.fail("sendMessage", 429)
    status, body = await raw(fake, "sendMessage", chat_id="1", text="hi")
    assert (status, body["description"]) == (429, "Quota exceeded")


async def test_one_update_per_poll_and_408_when_none(fake: FakeZaloBot, client: ZaloBotClient):
    user = fake.user("42", "An")
    first, second = user.send_text("một"), user.send_text("hai")
    update = await client.get_update(timeout=1)
    assert update["event_name"] == "message.text.received"
    assert update["message"]["message_id"] == first and update["message"]["chat"]["id"] == "42"
    assert (await client.get_update(timeout=1))["message"]["message_id"] == second
    assert await client.get_update(timeout=0) is None  # 408: nothing came


async def test_a_newer_poll_ends_the_older_one(fake: FakeZaloBot, client: ZaloBotClient):
    older = asyncio.ensure_future(client.get_update(timeout=5))
    await fake.wait_until_polling()
    newer = asyncio.ensure_future(client.get_update(timeout=5))
    with pytest.raises(ZaloApiError) as refused:
        await older
    assert refused.value.code == 409
    fake.user("42").send_text("xin chào")
    assert (await newer)["message"]["text"] == "xin chào"


async def test_webhooks_only_to_public_https_and_polling_refused_meanwhile(
        fake: FakeZaloBot, client: ZaloBotClient):
    for url in ("http://dvk.example.org/hook", "https://127.0.0.1/hook",
                "https://localhost/hook", "https://192.168.1.4/hook"):
        with pytest.raises(ZaloApiError):
            await client.set_webhook(url, "secret-123")
    with pytest.raises(ZaloApiError):
        await client.set_webhook("https://dvk.example.org/hook", "short")
    result = await client.set_webhook("https://dvk.example.org/hook", "secret-123")
    assert result["url"] == "https://dvk.example.org/hook" and result["updated_at"] > 0
    assert (await client.get_webhook_info())["url"] == "https://dvk.example.org/hook"
    assert "secret" not in str(await client.get_webhook_info())
    with pytest.raises(ZaloApiError) as refused:
        await client.get_update(timeout=1)
    assert refused.value.code == 400
    assert (await client.delete_webhook())["url"] == ""


async def test_image_events_carry_photo_url_or_photo(fake: FakeZaloBot, client: ZaloBotClient,
                                                     tmp_path):
    user = fake.user("42")
    user.send_image(key="photo_url")
    user.send_image(key="photo", caption="Ảnh hiện trường")
    user.send_unsupported()
    first, second, third = [await client.get_update(timeout=1) for _ in range(3)]
    assert "photo_url" in first["message"] and "photo" in second["message"]
    assert second["message"]["caption"] == "Ảnh hiện trường"
    target = tmp_path / "photo.part"
    await client.download_to(second["message"]["photo"], target, max_bytes=10_000_000)
    assert target.read_bytes().startswith(b"\xff\xd8")
    assert third["event_name"] == "message.unsupported.received"


async def test_client_refuses_texts_zalo_would_refuse(client: ZaloBotClient):
    with pytest.raises(ValueError):
        await client.send_message("1", "")
    with pytest.raises(ValueError):
        await client.send_message("1", "x" * 2001)


async def test_network_errors_never_show_the_token():
    client = ZaloBotClient("123:very-secret-token", "http://127.0.0.1:9/bot")
    await client.start()
    try:
        with pytest.raises(ZaloNetworkError) as failed:
            await client.get_me()
    finally:
        await client.close()
    assert "very-secret-token" not in str(failed.value)


async def test_replies_are_retried_after_quota_exceeded(fake: FakeZaloBot, client: ZaloBotClient):
    links = SignedMediaUrls(b"k" * 32, ManualClock(), ttl=timedelta(days=1))
    renderer = ZaloRenderer(client, links, retry=ReplyRetry(attempts=2, backoff_seconds=0))
    fake.fail("sendMessage", 429, times=2)
    reply = TextReply("Chọn:", (Option("Một", "1"), Option("Hai", "2")), token="q1")
    await renderer.send("42", [reply])
    [message] = fake.messages("42")
    assert message.text == "Chọn:\n\n1. Một\n2. Hai\n👉 Gõ số từ 1 đến 2 để chọn."
    fake.fail("sendMessage", 429, times=3)
    with pytest.raises(ZaloApiError):
        await renderer.send("42", [reply])
    fake.fail("sendMessage", 400)
    with pytest.raises(ZaloApiError):  # a bad request is not retried
        await renderer.send("42", [reply])
    assert len(fake.calls_to("sendMessage")) == 1 + 2 + 3 + 1
