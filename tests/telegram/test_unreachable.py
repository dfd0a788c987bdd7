"""Telegram is blocked by Vietnam's main ISPs: when it cannot be reached at start, the map, the
web chat and the scheduler run anyway, and Telegram joins as soon as it answers. A token
Telegram refuses leaves Telegram off, never the rest, and never reaches the log."""

from __future__ import annotations

import logging

import aiohttp
from pydantic import SecretStr

from bot.app import App
from settings import Settings
from tests.fakes.telegram_api import FakeTelegram


def configured(settings: Settings, fake: FakeTelegram) -> Settings:
    return settings.updated(
        telegram_bot_token=SecretStr(fake.token),
        telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.file_base_url,
        telegram_poll_timeout_seconds=1,
        channel_retry_seconds=0.01,
    )


async def status_of(app: App, path: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(app.web.url + path) as response:
        return response.status


async def test_the_product_runs_while_telegram_is_unreachable_and_telegram_joins_later(
    settings, clock
) -> None:
    async with FakeTelegram() as fake:
        fake.fail("getMe", 502, times=4)  # the start, the outbox's bot, and two retries
        lan = fake.user(7001, first_name="Lan")
        app = App(configured(settings, fake), clock=clock)
        await app.start()
        try:
            assert await status_of(app, "healthz") == 200
            assert await status_of(app, "chat") == 200

            lan.send_command("start")
            await fake.wait_for_message(lan.id, count=1, timeout=10)

            assert "Dân vận khéo" in lan.last.text
            assert len(fake.calls_to("getMe")) >= 5
        finally:
            await app.stop()


async def test_a_refused_token_leaves_telegram_off_and_out_of_the_log(
    settings, clock, caplog
) -> None:
    async with FakeTelegram() as fake:
        fake.fail("getMe", 401, times=1_000, description="Unauthorized")
        app = App(configured(settings, fake), clock=clock)
        with caplog.at_level(logging.INFO):
            await app.start()
        try:
            assert await status_of(app, "healthz") == 200
            assert any("refused TELEGRAM_BOT_TOKEN" in r.getMessage() for r in caplog.records)
            assert fake.token not in caplog.text
            assert all(c.method == "getMe" for c in fake.calls)  # no polling, no sends
        finally:
            await app.stop()
