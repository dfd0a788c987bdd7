"""Conditional GETs for everything public (issue 17, item 7): a newspaper linking the map must
not bring the bot down, so every public answer can be kept by a shared proxy or CDN and
revalidated cheaply.

Handlers say what is public by sending `Cache-Control: public, …` (CACHE_SHORT / CACHE_LONG in
bot/web/api.py, CACHE_PAGE below); this middleware gives such answers an ETag (a hash of the
body) and answers `304 Not Modified` when the client already holds that body. Files
(`web.FileResponse`: photos) get ETag and Last-Modified from aiohttp itself. Anything else
(the web chat, webhooks, health) is left alone: it is personal or live.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CACHE_PAGE = {"Cache-Control": "public, max-age=60", "Vary": "Cookie"}
"""HTML pages: their language may come from the `dvk_lang` cookie, so caches key on it too."""


@web.middleware
async def conditional_get(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if (request.method not in ("GET", "HEAD") or response.status != 200
            or type(response) is not web.Response or response.body is None
            or "public" not in response.headers.get("Cache-Control", "")):
        return response
    body = response.body if isinstance(response.body, bytes) else None
    if body is None:
        return response
    etag = hashlib.blake2b(body, digest_size=12).hexdigest()
    response.etag = etag
    if _matches(request.headers.get("If-None-Match", ""), etag):
        kept = {name: response.headers[name] for name in ("Cache-Control", "Vary", "ETag")
                if name in response.headers}
        return web.Response(status=304, headers=kept)
    return response


def _matches(header: str, etag: str) -> bool:
    """RFC 9110 weak comparison: `*`, or any listed tag equal to ours (W/ ignored)."""
    if header.strip() == "*":
        return True
    tags = (tag.strip().removeprefix("W/").strip('"') for tag in header.split(","))
    return etag in tags
