"""Zalo settings: a webhook needs https and a secret Zalo accepts; bad values stop start-up,
values Zalo refuses leave only Zalo off."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bot.app import App
from settings import Settings
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.telegram.test_channel_states import health_of
from tests.zalo_bot.harness import zalo_settings


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


def test_zalo_is_off_without_a_token_and_polls_by_default() -> None:
    settings = make()
    assert settings.zalo_bot.token is None and settings.zalo_bot.webhook_url is None
    assert settings.zalo_bot.api_base_url == "https://bot-api.zaloplatforms.com/bot"


@pytest.mark.parametrize("values", [
    {"zalo_webhook_url": "https://dvk.example.org/zalo/webhook"},  # no secret
    {"zalo_webhook_url": "http://dvk.example.org/zalo/webhook", "zalo_webhook_secret": "x" * 8},
    {"zalo_webhook_secret": "short"},
    {"zalo_bot_api_base_url": "bot-api.zaloplatforms.com/bot"},
    {"zalo_poll_timeout_seconds": 0},
])
def test_bad_values_are_refused(values: dict) -> None:
    with pytest.raises(ValidationError):
        make(**values)


def test_the_token_never_shows() -> None:
    settings = make(zalo_bot_token="1459232241454765289:secret-part")
    assert "secret-part" not in repr(settings) and "secret-part" not in str(settings)


@pytest.mark.parametrize("refusal", ["token", "webhook"])
async def test_a_refused_token_or_webhook_leaves_zalo_off_and_the_rest_running(
        settings, clock, caplog, refusal: str) -> None:
    """Credentials Zalo refuses will not start working by retrying: Zalo Bot stays off with
    one line naming the setting, and the map, the web chat and /healthz keep serving."""
    async with FakeZaloBot() as fake:
        if refusal == "token":
            configured = zalo_settings(settings, fake, zalo_bot_token=SecretStr("0:other"))
            reason = "ZALO_BOT_TOKEN"
        else:
            configured = zalo_settings(settings, fake, webhook=True,
                                       zalo_webhook_url="https://localhost/zalo/webhook")
            reason = "ZALO_WEBHOOK_URL"
        app = App(configured, clock=clock)
        await app.start()
        try:
            status, body = await health_of(app)
        finally:
            await app.stop()
    assert status == 200 and body["channels"] == {"web": "running", "zalo_bot": "off"}
    refused = [r for r in caplog.records if reason in r.getMessage()]
    assert refused and refused[0].levelname == "ERROR"
    assert "0:other" not in caplog.text


async def test_zalo_down_at_start_leaves_the_rest_running_and_joins_later(settings, clock):
    async with FakeZaloBot() as fake:
        fake.fail("getMe", 502, times=2)  # the start and the first retry
        lan = fake.user(display_name="Lan")
        app = App(zalo_settings(settings, fake, channel_retry_seconds=0.01), clock=clock)
        await app.start()
        try:
            lan.send_text("/start")
            await fake.wait_for_message(lan.chat_id, count=1, timeout=10)

            assert "Dân vận khéo" in fake.messages(lan.chat_id)[-1].text
        finally:
            await app.stop()
