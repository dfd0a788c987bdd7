"""Zalo settings: a webhook needs https and a secret Zalo accepts; bad values stop start-up."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bot.app import App
from bot.settings import Settings
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.zalo_bot.harness import zalo_settings


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


def test_zalo_is_off_without_a_token_and_polls_by_default() -> None:
    settings = make()
    assert settings.zalo_bot_token is None and settings.zalo_webhook_url is None
    assert settings.zalo_bot_api_base_url == "https://bot-api.zaloplatforms.com/bot"


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


async def test_a_refused_token_or_webhook_stops_start_up_with_a_clear_reason(settings, clock):
    async with FakeZaloBot() as fake:
        refused = [(zalo_settings(settings, fake, zalo_bot_token=SecretStr("0:other")),
                    "ZALO_BOT_TOKEN"),
                   (zalo_settings(settings, fake, webhook=True,
                                  zalo_webhook_url="https://localhost/zalo/webhook"),
                    "ZALO_WEBHOOK_URL")]
        for configured, reason in refused:
            app = App(configured, clock=clock)
            with pytest.raises(RuntimeError, match=reason):
                await app.start()
            await app.stop()
