"""The aiohttp transport under a real python-telegram-bot `Bot`, against the fake Bot API over
HTTP: what PTB sends arrives as it does through PTB's own httpx transport, and every way a
request can fail comes back as the exception PTB's callers (the Updater, the outbox) expect."""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
import traceback
import warnings
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.telegram.channel import TelegramChannel
from bot.telegram.transport import AiohttpRequest, _redacted
from tests.fakes.telegram_api import FakeTelegram, make_jpeg

TOKEN = "123456:SECRET-token_for-tests"
CHAT = 1001

# PTB itself reads RetryAfter.retry_after as int while building the exception.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        server.user(CHAT, first_name="Lan")
        yield server


def make_bot(fake: FakeTelegram, request: BaseRequest | None = None, **options: float) -> Bot:
    return Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_base_url,
               request=request or AiohttpRequest(**options),
               get_updates_request=AiohttpRequest(connection_pool_size=1, **options))


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake) as started:
        yield started


def without_token(error: BaseException) -> None:
    """Neither the message nor the traceback (causes included) may show the bot's token."""
    assert TOKEN not in str(error)
    assert TOKEN not in "".join(traceback.format_exception(error))


async def test_get_me_answers_with_the_fakes_bot(bot: Bot, fake: FakeTelegram) -> None:
    me = await bot.get_me()
    assert me.username == fake.bot_user["username"]
    assert [c.method for c in fake.calls].count("getMe") >= 1  # initialize() asks too


async def test_a_message_arrives_with_its_text_markup_and_parse_mode(bot, fake) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đồng ý ✅", callback_data="yes")]])
    sent = await bot.send_message(CHAT, "Xin chào <b>Lan</b> &amp; mọi người", parse_mode="HTML",
                                  reply_markup=keyboard)
    [message] = fake.messages(CHAT)
    assert message.text == "Xin chào <b>Lan</b> &amp; mọi người"
    assert message.plain_text == "Xin chào Lan & mọi người"
    assert message.buttons == ["Đồng ý ✅"]
    assert sent.message_id == message.message_id
    assert fake.errors == []


async def test_an_uploaded_photo_arrives_as_a_multipart_file(bot, fake) -> None:
    image = make_jpeg(seed=7)
    sent = await bot.send_photo(CHAT, image, caption="Ảnh <i>mô hình</i>", parse_mode="HTML")
    [message] = fake.messages(CHAT)
    assert message.kind == "photo" and message.text == "Ảnh <i>mô hình</i>"
    [call] = fake.calls_to("sendPhoto")
    assert call.files["photo"].data == image
    assert fake.file_bytes(sent.photo[-1].file_id) == image


async def test_uploads_arrive_as_httpx_sends_them(fake) -> None:
    """The same document with a Vietnamese name through both transports: the fake reads the
    same fields and the same file part (name, type, bytes)."""
    seen = []
    for request in (HTTPXRequest(), AiohttpRequest()):
        async with make_bot(fake, request) as bot:
            await bot.send_document(CHAT, b"%PDF-1.4 bao cao", filename="Báo cáo quý 1.pdf",
                                    caption="Tệp đính kèm", disable_notification=True)
        call = fake.calls_to("sendDocument")[-1]
        upload = call.files["document"]
        params = {k: v for k, v in call.params.items() if k != "document"}
        seen.append((params, upload.filename, upload.content_type, upload.data))
    assert seen[0] == seen[1]
    assert seen[1][1] == "Báo cáo quý 1.pdf"
    assert fake.errors == []


async def test_a_users_photo_is_downloaded_through_get_file(bot, fake) -> None:
    image = make_jpeg(seed=11)
    update_id = fake.user(CHAT).send_photo(image)
    file_id = fake.raw_update(update_id)["message"]["photo"][-1]["file_id"]
    file = await bot.get_file(file_id)
    assert bytes(await file.download_as_bytearray()) == image


async def test_a_400_is_a_bad_request(bot) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(CHAT, "<b>not closed", parse_mode="HTML")


async def test_a_429_is_retry_after_with_the_servers_delay(bot, fake) -> None:
    fake.fail("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        delay = raised.value.retry_after
    assert (delay.total_seconds() if isinstance(delay, dtm.timedelta) else delay) == 7


async def test_no_answer_is_timed_out_after_the_read_timeout(fake) -> None:
    fake.fail("sendMessage", 0)  # the fake takes the request and never answers
    async with make_bot(fake, read_timeout=0.2) as bot:
        with pytest.raises(TimedOut) as raised:
            await bot.send_message(CHAT, "x")
    assert fake.calls_to("sendMessage")[0].status == 0  # it was sent, then given up on
    without_token(raised.value)


async def test_a_read_timeout_given_to_one_call_overrides_the_default(bot, fake) -> None:
    fake.fail("sendMessage", 0)
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "x", read_timeout=0.2)


async def test_a_long_poll_outlasts_the_read_timeout(fake) -> None:
    """PTB adds getUpdates' own timeout to the read timeout: a 1 s poll on a 0.2 s read timeout
    ends empty, not in TimedOut."""
    async with make_bot(fake, read_timeout=0.2) as bot:
        assert await bot.get_updates(timeout=1) == ()


async def test_an_upload_the_server_does_not_take_is_timed_out() -> None:
    """A server that accepts the connection and never reads: the upload fills the socket's
    buffers and stalls, and the write allowance ends it (aiohttp has no write timeout)."""
    async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await stop.wait()
        writer.close()

    stop = asyncio.Event()
    server = await asyncio.start_server(never_read, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(connect_timeout=0.1, read_timeout=0.1, media_write_timeout=0.2)
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    try:
        with pytest.raises(TimedOut, match="upload") as raised:
            await bot.send_document(CHAT, bytes(32 * 1024 * 1024), filename="big.bin")
    finally:
        await request.shutdown()
        stop.set()
        server.close()
        await server.wait_closed()
    without_token(raised.value)


async def test_a_full_pool_is_timed_out_without_sending(fake) -> None:
    fake.fail("sendMessage", 0)
    request = AiohttpRequest(connection_pool_size=1, read_timeout=None, pool_timeout=0.1)
    async with make_bot(fake, request) as bot:
        hanging = asyncio.create_task(bot.send_message(CHAT, "first"))
        await fake.wait_for_call("sendMessage")
        with pytest.raises(TimedOut, match="pool"):
            await bot.send_message(CHAT, "second")
        hanging.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hanging
        assert len(fake.calls_to("sendMessage")) == 1
        await bot.send_message(CHAT, "third")  # the slot came back
    assert [m.text for m in fake.messages(CHAT)] == ["third"]


async def test_an_unreachable_server_is_a_network_error(fake) -> None:
    with socket.socket() as closed:  # a port of ours that nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(),
                  get_updates_request=AiohttpRequest(connection_pool_size=1))
        with pytest.raises(NetworkError) as raised:
            await bot.initialize()
        await bot.shutdown()
    assert not isinstance(raised.value, TimedOut)
    assert "aiohttp.ClientConnectorError" in str(raised.value)
    without_token(raised.value)


async def test_errors_that_quote_the_url_lose_the_token() -> None:
    bot = Bot(TOKEN, base_url="http://127.0.0.1:99999/bot", request=AiohttpRequest(),
              get_updates_request=AiohttpRequest(connection_pool_size=1))
    with pytest.raises(NetworkError) as raised:
        await bot.initialize()  # a port out of range: aiohttp names the whole URL
    await bot.shutdown()
    assert "127.0.0.1:99999" in str(raised.value)
    without_token(raised.value)
    url = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert _redacted(f"Can not write request body for {url}", url) == (
        "Can not write request body for https://api.telegram.org/<redacted>")


async def test_it_initializes_again_after_shutdown(fake) -> None:
    request = AiohttpRequest()
    bot = make_bot(fake, request)
    async with bot:
        await bot.send_message(CHAT, "one")
    await request.shutdown()  # a second shutdown does nothing
    with pytest.raises(NetworkError, match="not initialized"):
        await bot.send_message(CHAT, "while shut down")
    async with bot:
        await bot.send_message(CHAT, "two")
    assert [m.text for m in fake.messages(CHAT)] == ["one", "two"]


async def test_the_channel_talks_to_telegram_through_aiohttp(settings, engine, services) -> None:
    channel = TelegramChannel(settings.updated(telegram_bot_token=SecretStr(TOKEN)).telegram,
                              engine, services.media)
    outbox = channel.outbox_sender(timeout=0.5, connections=4)
    assert isinstance(channel.application.bot.request, AiohttpRequest)
    assert isinstance(outbox.bot.request, AiohttpRequest)
    assert outbox.bot.request.read_timeout == 0.5


async def test_a_proxy_from_the_environment_carries_the_requests(fake, monkeypatch) -> None:
    """Where Telegram is blocked, the operator sets HTTPS_PROXY (or HTTP_PROXY); here the
    fake plays the proxy for a Bot API host that does not resolve."""
    proxy = fake.base_url.split("/bot")[0]
    for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    bot = Bot(TOKEN, base_url="http://api.telegram.invalid/bot", request=AiohttpRequest(),
              get_updates_request=AiohttpRequest(connection_pool_size=1))
    async with bot:
        await bot.send_message(CHAT, "qua proxy")
    assert [m.text for m in fake.messages(CHAT)] == ["qua proxy"]


async def test_hosts_in_no_proxy_are_reached_directly(fake, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with make_bot(fake) as bot:
        await bot.send_message(CHAT, "trực tiếp")
    assert [m.text for m in fake.messages(CHAT)] == ["trực tiếp"]
