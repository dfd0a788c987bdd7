"""Web fixtures: the real aiohttp app on 127.0.0.1 (aiohttp's TestServer), and Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web.metrics import Metrics
from tests.support.web_app import create_web_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); .ci/run installs it")


@pytest.fixture
def settings(settings):
    """Tests act faster than people: the web chat's rate limits are tested on their own."""
    return settings.updated(web_chat_rate_per_minute=1000,
                            web_chat_new_sessions_per_hour=1000,
                            web_chat_new_sessions_per_day=1000)


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def web_app(settings, db, services, engine, metrics):
    return create_web_app(settings=settings, db=db, services=services, engine=engine,
                          metrics=metrics)


@pytest.fixture
async def client(web_app):
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                    args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()
