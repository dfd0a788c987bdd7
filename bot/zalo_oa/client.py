"""A small client for the OA Open API: customer-service messages, uploads, downloads.

Every call carries the header `access_token` (no Bearer). Success is HTTP 200 *and*
`error: 0`; Zalo reports most failures as HTTP 200 with a negative `error` and a `message`
(ZALO-NOTES §2.1, §2.4). An "invalid/expired access token" answer refreshes the token once and
repeats the call once. Tokens never appear in logs or exception messages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from bot import proxies as proxy_routes
from bot.downloads import DownloadFailed, fetch_to_file

log = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_BUTTONS = 5

# Error codes (ZALO-NOTES §2.4; several UNVERIFIED, see there).
RATE_LIMITED = -32
BAD_PARAMETER = -201
OUT_OF_QUOTA = -211
NOT_FOLLOWER = -213
INVALID_TOKEN = -216
EXPIRED_TOKEN = -220
OUTSIDE_WINDOW = -230  # the user has not interacted with the OA in the past 7 days
INTERACTION_EXPIRED = -232
NIGHT_CURFEW = -234  # UNVERIFIED: no messages 22h-6h
OLD_REPLY_QUOTA = (-305, -311)  # the 8-replies-per-48-hours rule before 2026
TOKEN_ERRORS = frozenset({INVALID_TOKEN, EXPIRED_TOKEN})
WINDOW_ERRORS = frozenset({OUTSIDE_WINDOW, INTERACTION_EXPIRED, OUT_OF_QUOTA, *OLD_REPLY_QUOTA})


class TokenSource(Protocol):
    async def access_token(self) -> str: ...
    async def refresh(self, *, stale: str | None) -> str: ...


class OAApiError(Exception):
    """Zalo answered, and said no. `code` is the body's `error` (or the HTTP status)."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"zalo oa error {code} (HTTP {status}): {message}")
        self.status = status
        self.code = code
        self.message = message


class OANetworkError(Exception):
    """Zalo could not be reached or did not answer in time (or answered 5xx)."""


class ZaloOAClient:
    def __init__(self, base_url: str, tokens: TokenSource, *, timeout: float = 15.0,
                 proxies: proxy_routes.Proxies | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._proxies = proxies or proxy_routes.Proxies()
        self._proxy: str | None = None
        self.tokens = tokens
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:  # through HTTPS_PROXY/ALL_PROXY where set (bot/proxies.py)
            self._session, self._proxy = proxy_routes.session(
                self.base_url, self._proxies, timeout=aiohttp.ClientTimeout(total=self.timeout))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- API ---------------------------------------------------------------------------------

    async def send(self, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """A customer-service message (`/v3.0/oa/message/cs`); returns its `data`."""
        text = message.get("text")
        if text is not None and not 1 <= len(text) <= MAX_TEXT:
            raise ValueError(f"text must be 1-{MAX_TEXT} characters, not {len(text)}")
        body = {"recipient": {"user_id": user_id}, "message": message}
        return await self._call("/v3.0/oa/message/cs", json=body)

    async def upload_image(self, data: bytes, *, filename: str, mime_type: str) -> str:
        """The `attachment_id` to send an image by."""
        found = await self._upload("/v2.0/oa/upload/image", data, filename, mime_type)
        attachment_id = found.get("attachment_id")
        if not isinstance(attachment_id, str) or not attachment_id:
            raise OAApiError(200, BAD_PARAMETER, "upload answered without an attachment_id")
        return attachment_id

    async def upload_file(self, data: bytes, *, filename: str, mime_type: str) -> str:
        """The `token` to send a file by."""
        found = await self._upload("/v2.0/oa/upload/file", data, filename, mime_type)
        token = found.get("token")
        if not isinstance(token, str) or not token:
            raise OAApiError(200, BAD_PARAMETER, "upload answered without a token")
        return token

    async def download_to(self, url: str, target: Path, *, max_bytes: int) -> None:
        """The photo at a URL Zalo gave us, written to `target` as it arrives (never held in
        memory), refusing more than `max_bytes` (TooLarge). Fetch it at once: it may not last."""
        try:
            await fetch_to_file(self._client(), url, target, max_bytes=max_bytes)
        except DownloadFailed as error:
            raise OANetworkError(str(error)) from None

    # -- transport ---------------------------------------------------------------------------

    async def _upload(self, path: str, data: bytes, filename: str,
                      mime_type: str) -> dict[str, Any]:
        def form() -> aiohttp.FormData:
            built = aiohttp.FormData()
            built.add_field("file", data, filename=filename, content_type=mime_type)
            return built

        return await self._call(path, form=form)

    async def _call(self, path: str, *, json: Any = None, form: Any = None) -> dict[str, Any]:
        token = await self.tokens.access_token()
        try:
            return await self._once(path, token, json=json, form=form)
        except OAApiError as error:
            if error.code not in TOKEN_ERRORS and error.status != 401:
                raise
        log.info("zalo oa: access token refused, refreshing", extra={"path": path})
        token = await self.tokens.refresh(stale=token)
        return await self._once(path, token, json=json, form=form)

    async def _once(self, path: str, token: str, *, json: Any, form: Any) -> dict[str, Any]:
        headers = {"access_token": token}
        try:
            async with self._client().post(
                    self.base_url + path, json=json, data=form() if form else None,
                    headers=headers, proxy=self._proxy) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise OANetworkError(f"{path}: {type(error).__name__}") from None
        if status >= 500:
            raise OANetworkError(f"{path}: HTTP {status}")
        if not isinstance(body, dict):
            raise OAApiError(status, status, f"{path}: answer is not JSON")
        code = body.get("error")
        if status == 200 and code == 0:
            data = body.get("data")
            return data if isinstance(data, dict) else {}
        if not isinstance(code, int) or code == 0:
            code = status if status != 200 else BAD_PARAMETER
        raise OAApiError(status, code, str(body.get("message") or "error")[:300])

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("ZaloOAClient.start() was not called")
        return self._session
