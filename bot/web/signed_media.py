"""Signed, expiring links to one stored file, for channels that send photos by URL (Zalo Bot).

The media store is private; a link opens one file until it expires and nothing else. The
signature (HMAC-SHA256) covers the path, the expiry and the download name, so none of them can
be changed. Zalo fetches a photo URL more than once (ZALO-NOTES §1.3), hence hours, not seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

from aiohttp import web

from handlers.clock import Clock

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


MEDIA_LINKS = web.AppKey("signed_media_urls", SignedMediaUrls)
MEDIA_ROOT = web.AppKey("signed_media_root", Path)


def register(app: web.Application, urls: SignedMediaUrls, media_root: Path) -> None:
    """Serve signed links on `app` (called before the server starts)."""
    app[MEDIA_LINKS] = urls
    app[MEDIA_ROOT] = Path(media_root)
    app.router.add_get(ROUTE, signed_file)


async def signed_file(request: web.Request) -> web.StreamResponse:
    path = request.match_info["path"]
    query = request.query
    filename = query.get("n", "")
    if not request.app[MEDIA_LINKS].valid(path, query.get("e", ""), query.get("s", ""),
                                          filename):
        raise web.HTTPForbidden()
    root = request.app[MEDIA_ROOT].resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise web.HTTPNotFound()
    headers = {"Cache-Control": "private, max-age=3600"}
    if filename:
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    content_type = mimetypes.guess_type(filename or target.name)[0]
    response = web.FileResponse(target, headers=headers)
    if content_type:
        response.content_type = content_type
    return response
