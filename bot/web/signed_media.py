"""Signed, expiring links to one stored file, for channels that send photos by URL (Zalo Bot).

The media store is private; a link opens one file until it expires and nothing else. A link to
a photo opens its clean copy (`MediaStore.outgoing`), never the original with its metadata. The
signature (HMAC-SHA256) covers the path, the expiry and the download name, so none of them can
be changed. Zalo fetches a photo URL more than once (ZALO-NOTES §1.3), hence hours, not seconds.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import mimetypes
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlencode

from aiohttp import web

from handlers.clock import Clock
from storage.media import MediaStore, MediaUnavailable
from storage.media_copies import BadImage

ROUTE = "/media/{path:.+}"
PREFIX = "/media/"


@dataclass
class SignedMediaUrls:
    key: bytes
    clock: Clock
    ttl: timedelta
    base_url: str | None = None
    """The server's public address; set once the server runs (None: no links can be made)."""

    @classmethod
    def from_secret(cls, secret: str, *, clock: Clock, ttl: timedelta) -> SignedMediaUrls:
        key = hashlib.sha256(b"dvk media links\0" + secret.encode()).digest()
        return cls(key, clock, ttl)

    def url_for(self, path: str, *, filename: str | None = None) -> str | None:
        if not self.base_url:
            return None
        expires = int((self.clock.now() + self.ttl).timestamp())
        query = {"e": str(expires), "s": self._sign(path, expires, filename or "")}
        if filename:
            query["n"] = filename
        return f"{self.base_url.rstrip('/')}{PREFIX}{quote(path)}?{urlencode(query)}"

    def valid(self, path: str, expires: str, signature: str, filename: str) -> bool:
        if not expires.isdigit() or int(expires) < self.clock.now().timestamp():
            return False
        expected = self._sign(path, int(expires), filename)
        return hmac.compare_digest(expected.encode(), signature.encode())

    def _sign(self, path: str, expires: int, filename: str) -> str:
        message = f"{path}\n{expires}\n{filename}".encode()
        digest = hmac.new(self.key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


BUSY_HEADERS = {"Retry-After": "60", "Cache-Control": "no-store"}
"""A 503 for a stored file the media store refuses now: try again in a minute, keep nothing."""

MEDIA_LINKS = web.AppKey("signed_media_urls", list[SignedMediaUrls])
MEDIA_STORE = web.AppKey("signed_media_store", MediaStore)


def register(app: web.Application, urls: SignedMediaUrls, media: MediaStore) -> None:
    """Serve signed links on `app` (called before the server starts). Each channel signs with
    its own key (Zalo Bot, Zalo OA); one route serves the links of all of them."""
    if MEDIA_LINKS in app:
        app[MEDIA_LINKS].append(urls)
        return
    app[MEDIA_LINKS] = [urls]
    app[MEDIA_STORE] = media
    app.router.add_get(ROUTE, signed_file)


async def signed_file(request: web.Request) -> web.StreamResponse:
    path = request.match_info["path"]
    query = request.query
    filename = query.get("n", "")
    if not any(urls.valid(path, query.get("e", ""), query.get("s", ""), filename)
               for urls in request.app[MEDIA_LINKS]):
        raise web.HTTPForbidden()
    try:
        target = await asyncio.to_thread(request.app[MEDIA_STORE].outgoing, path)
    except (FileNotFoundError, BadImage):
        raise web.HTTPNotFound() from None
    except MediaUnavailable:  # the store refuses now (logged there, with the key)
        raise web.HTTPServiceUnavailable(headers=BUSY_HEADERS) from None
    headers = {"Cache-Control": "private, max-age=3600"}
    if filename:
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    content_type = mimetypes.guess_type(filename or target.name)[0]
    response = web.FileResponse(target, headers=headers)
    if content_type:
        response.content_type = content_type
    return response
