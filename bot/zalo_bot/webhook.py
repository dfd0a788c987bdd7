"""The Zalo Bot webhook: Zalo POSTs each update here instead of us polling for it.

Zalo sends the secret we registered with `setWebhook` in `X-Bot-Api-Secret-Token`; a request
without it is 401, with another value 403, and in both cases nothing is processed. The secret
is compared in constant time. An accepted update is queued and answered at once (Zalo's retry
policy is undocumented, so the answer must be quick); redeliveries are dropped by the engine.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlparse

from aiohttp import web

from bot.web.json_body import json_body

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
DEFAULT_PATH = "/zalo/webhook"


class ZaloWebhookReceiver(Protocol):
    async def process_webhook_update(self, data: Any) -> None:
        """Queue one update; raises ValueError if `data` is not a Zalo Bot update."""
        ...


@dataclass(frozen=True)
class _Webhook:
    receiver: ZaloWebhookReceiver
    secret: bytes


ZALO_WEBHOOK = web.AppKey("zalo_webhook", _Webhook)


def webhook_path(webhook_url: str) -> str:
    return urlparse(webhook_url).path or DEFAULT_PATH


def register(app: web.Application, receiver: ZaloWebhookReceiver, *, webhook_url: str,
             secret: str) -> None:
    """Answer Zalo's POSTs at the path of `webhook_url` (called before the server starts)."""
    app[ZALO_WEBHOOK] = _Webhook(receiver, secret.encode())
    app.router.add_post(webhook_path(webhook_url), zalo_webhook)


async def zalo_webhook(request: web.Request) -> web.Response:
    hook = request.app[ZALO_WEBHOOK]
    given = request.headers.get(SECRET_HEADER)
    if given is None:
        log.warning("zalo webhook request without secret")
        raise web.HTTPUnauthorized()
    if not hmac.compare_digest(given.encode(), hook.secret):
        log.warning("zalo webhook request with a wrong secret")
        raise web.HTTPForbidden()
    data = await json_body(request)
    try:
        await hook.receiver.process_webhook_update(data)
    except ValueError:
        raise web.HTTPBadRequest(text="body must be a Zalo Bot update") from None
    return web.json_response({"ok": True})
