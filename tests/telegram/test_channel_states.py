"""/healthz says, for each configured channel, whether it runs, is being tried again (its
platform unreachable at start) or is off (its credentials refused): the channel host keeps
that state for every channel alike (bot/channels/host.py)."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.app import App
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram.test_unreachable import configured


async def health_of(app: App) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(app.web.url + "healthz") as response:
        return response.status, await response.json()


async def test_healthz_shows_telegram_running(settings, clock) -> None:
    async with FakeTelegram() as fake:
        app = App(configured(settings, fake), clock=clock)
        await app.start()
        try:
            status, body = await health_of(app)
        finally:
            await app.stop()
    assert status == 200 and body["status"] == "ok"
    assert body["channels"] == {"web": "running", "telegram": "running"}


async def test_healthz_shows_telegram_being_retried_while_unreachable(settings, clock) -> None:
    async with FakeTelegram() as fake:
        fake.fail("getMe", 502, times=1_000)
        slow_retry = configured(settings, fake).updated(channel_retry_seconds=600)
        app = App(slow_retry, clock=clock)
        await app.start()
        try:
            status, body = await health_of(app)
            assert [c.channel for c in app.channels] == ["web"]  # Telegram is not running
        finally:
            await app.stop()
    assert status == 200 and body["channels"] == {"web": "running", "telegram": "retrying"}


async def test_healthz_shows_telegram_off_when_its_token_is_refused(settings, clock) -> None:
    async with FakeTelegram() as fake:
        fake.fail("getMe", 401, times=1_000, description="Unauthorized")
        app = App(configured(settings, fake), clock=clock)
        await app.start()
        try:
            status, body = await health_of(app)
        finally:
            await app.stop()
    assert status == 200 and body["channels"] == {"web": "running", "telegram": "off"}
