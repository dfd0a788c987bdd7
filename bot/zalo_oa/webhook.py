"""The Zalo OA webhook: Zalo POSTs each event here, signed with `X-ZEvent-Signature`.

The signature is checked over the raw body bytes (bot/zalo_oa/signature.py): no header is 401,
a malformed body 400, a wrong or stale signature 403, and in every such case nothing is
processed. An accepted event is queued and answered 200 at once; it is handled afterwards.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from aiohttp import web

from bot.web.keys import CHANNEL_HEALTH
from bot.zalo_oa.signature import HEADER, Rejection, Verified

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


class ZaloOAReceiver(Protocol):
    def verify(self, raw: bytes, header: str | None) -> Verified | Rejection: ...
    def accept(self, event: dict[str, Any]) -> str | None: ...
    def health(self) -> dict[str, Any]: ...


ZALO_OA: web.AppKey[ZaloOAReceiver] = web.AppKey("zalo_oa")
_REFUSALS = {Rejection.MISSING: web.HTTPUnauthorized, Rejection.MALFORMED: web.HTTPBadRequest,
             Rejection.WRONG: web.HTTPForbidden, Rejection.STALE: web.HTTPForbidden}


def register(app: web.Application, receiver: ZaloOAReceiver, *, path: str) -> None:
    """Answer Zalo's POSTs at `path` (called before the server starts); /healthz then shows
    the OA's token health too."""
    app[ZALO_OA] = receiver
    app.setdefault(CHANNEL_HEALTH, {})["zalo_oa"] = receiver
    app.router.add_post(path, zalo_oa_webhook)


async def zalo_oa_webhook(request: web.Request) -> web.Response:
    receiver = request.app[ZALO_OA]
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES,
                                            actual_size=request.content_length or 0)
    raw = await request.read()
    verdict = receiver.verify(raw, request.headers.get(HEADER))
    if isinstance(verdict, Rejection):
        log.warning("zalo oa webhook refused", extra={"reason": str(verdict)})
        raise _REFUSALS[verdict]()
    receiver.accept(verdict.event)
    return web.json_response({"error": 0})
