"""Telegram is blocked by Viet Nam's main ISPs, so operators there reach it through a proxy,
often a SOCKS5 one. Requests go through the proxy of ALL_PROXY / HTTPS_PROXY (from the settings,
so `.env` works as well as the environment), to the fake Bot API, over real sockets: the fake
SOCKS5 server records every CONNECT, and a proxy that refuses us leaves Telegram unreachable."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from telegram import Bot

from bot.app import App
from bot.proxies import Proxies
from bot.telegram.transport import AiohttpRequest
from bot.zalo_bot.client import ZaloBotClient
from settings import Settings
from tests.fakes.socks5 import FakeSocks5
from tests.fakes.telegram_api import FakeTelegram, make_jpeg
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.zalo_oa.harness import OADriver, running_app

CHAT = 7002


@pytest.fixture
async def fake_with_chat() -> AsyncIterator[tuple[FakeTelegram, int]]:
    async with FakeTelegram() as fake:
        fake.user(CHAT, first_name="Hoa")
        yield fake, CHAT


def through(settings: Settings, fake: FakeTelegram, **proxies: str) -> Settings:
    return settings.updated(
        telegram_bot_token=SecretStr(fake.token),
        telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.file_base_url,
        telegram_poll_timeout_seconds=1,
        channel_retry_seconds=60,
        **proxies,
    )


async def test_the_bot_talks_to_telegram_only_through_the_socks5_proxy(settings, clock) -> None:
    async with FakeTelegram() as fake, FakeSocks5(username="vn", password="s3cret") as proxy:
        lan = fake.user(7001, first_name="Lan")
        app = App(through(settings, fake, all_proxy=proxy.url), clock=clock)
        await app.start()
        try:
            assert [c.channel for c in app.channels] == ["web", "telegram"]
            lan.send_command("start")
            await fake.wait_for_message(lan.id, count=1, timeout=10)
            assert "Dân vận khéo" in lan.last.text
        finally:
            await app.stop()
        assert proxy.connects and set(proxy.connects) == {("127.0.0.1", fake.port)}
        assert proxy.refused_logins == 0


async def test_a_proxy_that_refuses_us_leaves_telegram_unreachable_and_the_rest_running(
        settings, clock) -> None:
    """The requests of the test above depend on the proxy: with a wrong password none of them
    reaches the Bot API."""
    async with FakeTelegram() as fake, FakeSocks5(username="vn", password="s3cret") as proxy:
        wrong = proxy.url.replace("s3cret", "wrong")
        app = App(through(settings, fake, all_proxy=wrong), clock=clock)
        await app.start()
        try:
            assert [c.channel for c in app.channels] == ["web"]  # Telegram is not running
            assert fake.calls == []
            assert proxy.refused_logins >= 1 and proxy.connects == []
        finally:
            await app.stop()


async def test_socks5h_lets_the_proxy_resolve_telegrams_name(fake_with_chat) -> None:
    """Where DNS answers for api.telegram.org are filtered, the proxy must resolve the name:
    socks5h:// sends the host name, socks5:// the address we resolved."""
    fake, chat = fake_with_chat
    by_name = fake.base_url.replace("127.0.0.1", "localhost")
    for scheme, expected_host in (("socks5h", "localhost"), ("socks5", "127.0.0.1")):
        async with FakeSocks5() as proxy:
            request = AiohttpRequest(proxies=Proxies({"all": f"{scheme}://127.0.0.1:{proxy.port}"}))
            async with Bot(fake.token, base_url=by_name, request=request) as bot:
                await bot.send_message(chat, "Xin chào")
            assert {host for host, _ in proxy.connects} == {expected_host}
    assert [c.params["text"] for c in fake.calls_to("sendMessage")] == ["Xin chào"] * 2


async def test_a_photo_download_goes_through_the_proxy_too(fake_with_chat) -> None:
    fake, chat = fake_with_chat
    image = make_jpeg(seed=3)
    file_id = fake.raw_update(fake.user(chat).send_photo(image))["message"]["photo"][-1][
        "file_id"]
    async with FakeSocks5() as proxy:
        request = AiohttpRequest(proxies=Proxies({"all": proxy.url}))
        async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.file_base_url,
                       request=request) as bot:
            file = await bot.get_file(file_id)
            assert bytes(await file.download_as_bytearray()) == image
        assert proxy.connects


async def test_no_proxy_hosts_and_other_schemes_go_direct(fake_with_chat) -> None:
    fake, chat = fake_with_chat
    async with FakeSocks5() as proxy:
        for proxies in (Proxies({"all": proxy.url}, no_proxy="example.org,127.0.0.1"),
                        Proxies({"https": proxy.url})):  # the fake is http://
            async with Bot(fake.token, base_url=fake.base_url,
                           request=AiohttpRequest(proxies=proxies)) as bot:
                await bot.send_message(chat, "trực tiếp")
        assert proxy.connects == []
    assert len(fake.calls_to("sendMessage")) == 2


def test_which_proxy_a_url_takes() -> None:
    settings = Settings(_env_file=None, https_proxy="socks5h://127.0.0.1:1080",
                        all_proxy="http://10.0.0.1:3128", no_proxy="openapi.zalo.me")
    proxies = Proxies.from_settings(settings.proxy)
    assert proxies.for_url("https://api.telegram.org/bot1:x/getMe") == "socks5h://127.0.0.1:1080"
    assert proxies.for_url("http://example.org/") == "http://10.0.0.1:3128"
    assert proxies.for_url("https://openapi.zalo.me/v3.0/oa/message/cs") is None
    assert Proxies.from_settings(Settings(_env_file=None).proxy).for_url("https://x.org/") is None


async def test_the_zalo_bot_client_uses_the_proxy_where_set() -> None:
    async with FakeZaloBot() as zalo, FakeSocks5() as proxy:
        client = ZaloBotClient(zalo.token, zalo.base_url, proxies=Proxies({"all": proxy.url}))
        await client.start()
        try:
            assert (await client.get_me())["account_name"]
        finally:
            await client.close()
        zalo_port = int(zalo.base_url.rsplit(":", 1)[1].split("/")[0])
        assert proxy.connects == [("127.0.0.1", zalo_port)]


async def test_the_zalo_oa_channel_refreshes_its_token_and_answers_through_the_proxy(
        settings, clock) -> None:
    async with FakeZaloOA(clock) as oa, FakeSocks5() as proxy:
        lan = oa.user("7004", "Lan")
        async with running_app(settings, clock, oa, refresh_token=oa.issue_refresh_token(),
                               all_proxy=proxy.url) as app:
            await OADriver(app, oa, lan).text("/start")
            assert "Dân vận khéo" in lan.last.text
        oa_port = int(oa.base_url.rsplit(":", 1)[1].split("/")[0])
        # the OAuth refresh and the reply: two clients, each its own connection
        assert proxy.connects.count(("127.0.0.1", oa_port)) >= 2
