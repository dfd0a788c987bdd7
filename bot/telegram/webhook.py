"""The Telegram webhook: Telegram POSTs each update here instead of us polling for it.

Telegram sends the secret we registered in `X-Telegram-Bot-Api-Secret-Token`; a request without
it is 401, with another value 403, and in both cases nothing is processed. An accepted update
takes the same path as a polled one (`TelegramChannel._on_update`), so redelivered updates are
dropped by the engine's processed-update check.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Protocol
from urllib.parse import urlparse

from aiohttp import web
from pydantic import SecretStr

from bot.web.json_body import json_body

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram/webhook"


class WebhookReceiver(Protocol):
    async def process_webhook_update(self, data: dict[str, Any]) -> None:
        """Queue one update; raises ValueError if `data` is not a Telegram update."""
        ...


TELEGRAM: web.AppKey[WebhookReceiver] = web.AppKey("telegram")
SECRET: web.AppKey[SecretStr] = web.AppKey("telegram_webhook_secret")


def register(app: web.Application, receiver: WebhookReceiver, *, webhook_url: str,
             secret: SecretStr) -> None:
    """Answer Telegram's POSTs at the path of `webhook_url` (called before the server starts),
    checking the `secret` registered with Telegram: the channel's own, not read off the
    server."""
    app[TELEGRAM] = receiver
    app[SECRET] = secret
    app.router.add_post(webhook_path(webhook_url), telegram_webhook)


def webhook_path(webhook_url: str) -> str:
    """Where Telegram will POST: the path of the public URL we registered with it."""
    return urlparse(webhook_url).path or DEFAULT_PATH


async def telegram_webhook(request: web.Request) -> web.Response:
    receiver = request.app[TELEGRAM]
    secret = request.app[SECRET]
    given = request.headers.get(SECRET_HEADER)
    if given is None:
        log.warning("webhook request without secret")
        raise web.HTTPUnauthorized()
    if not hmac.compare_digest(
            given.encode(), secret.get_secret_value().encode()):
        log.warning("webhook request with a wrong secret")
        raise web.HTTPForbidden()
    data = await json_body(request)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise web.HTTPBadRequest(text="body must be a Telegram update")
    try:
        await receiver.process_webhook_update(data)
    except ValueError:
        raise web.HTTPBadRequest(text="body must be a Telegram update") from None
    return web.Response(text="ok")
