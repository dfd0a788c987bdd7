"""A small client for the Zalo Bot Platform API (`/bot<TOKEN>/<method>`, `{ok, result}` replies).

What is known of the API, and how sure, is in ZALO-NOTES §1. In short: `getUpdates` returns one
update (no offset) or 408 when none came; sends take 1–2,000 characters; photos go out by URL.
The token is part of every URL, so no URL is ever logged or put into an error message.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import aiohttp

from bot import proxies as proxy_routes
from bot.downloads import DownloadFailed, fetch_to_file

log = logging.getLogger(__name__)

MAX_TEXT = 2000
TIMEOUT_MARGIN_SECONDS = 10


class ZaloApiError(Exception):
    """The API said no. `status` is the HTTP status; `code` the envelope's `error_code`."""

    def __init__(self, status: int, code: int | None, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.code = code if code is not None else status
        self.description = description


class ZaloNetworkError(Exception):
    """The API could not be reached, or did not answer in time."""


class ZaloBotClient:
    def __init__(self, token: str, base_url: str, *, timeout: float = 15.0,
                 proxies: proxy_routes.Proxies | None = None) -> None:
        self._base = f"{base_url.rstrip('/')}{token}"
        self._proxies = proxies or proxy_routes.Proxies()
        self._proxy: str | None = None
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:  # through HTTPS_PROXY/ALL_PROXY where set (bot/proxies.py)
            self._session, self._proxy = proxy_routes.session(
                self._base, self._proxies, timeout=aiohttp.ClientTimeout(total=self.timeout))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- methods -----------------------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        return await self.call("getMe")

    async def get_update(self, *, timeout: int) -> dict[str, Any] | None:
        """One update, or None when none came within `timeout` seconds (Zalo answers 408)."""
        try:
            return await self.call("getUpdates", {"timeout": str(timeout)},
                                   wait=timeout + TIMEOUT_MARGIN_SECONDS)
        except ZaloApiError as error:
            if error.code == 408:
                return None
            raise

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> dict[str, Any]:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self.call("getWebhookInfo")

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        if not 1 <= len(text) <= MAX_TEXT:
            raise ValueError(f"sendMessage text must be 1-{MAX_TEXT} characters, not {len(text)}")
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo_url: str,
                         caption: str | None = None) -> dict[str, Any]:
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption[:MAX_TEXT]
        return await self.call("sendPhoto", params)

    async def send_voice(self, chat_id: str, voice_url: str) -> dict[str, Any]:
        """A voice message Zalo plays: `voice_url` is an .aac file (ZALO-NOTES §1.3)."""
        return await self.call("sendVoice", {"chat_id": chat_id, "voice_url": voice_url})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def download_to(self, url: str, target: Path, *, max_bytes: int) -> None:
        """The photo at a URL Zalo gave us, written to `target` as it arrives (never held in
        memory), refusing more than `max_bytes` (TooLarge). Fetch it at once: it may not last."""
        try:
            await fetch_to_file(self._client(), url, target, max_bytes=max_bytes)
        except DownloadFailed as error:
            raise ZaloNetworkError(str(error)) from None

    # -- transport ---------------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   wait: float | None = None) -> Any:
        timeout = aiohttp.ClientTimeout(total=wait) if wait else None
        try:
            async with self._client().post(f"{self._base}/{method}", json=params or {},
                                           timeout=timeout, proxy=self._proxy) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except (aiohttp.ClientError, TimeoutError) as error:
            # The error's text may hold the URL, and the URL holds the token: name the type only.
            raise ZaloNetworkError(f"{method}: {type(error).__name__}") from None
        if not isinstance(body, dict):
            raise ZaloApiError(status, None, f"{method}: answer is not JSON")
        if status == 200 and body.get("ok"):
            return body.get("result")
        code = body.get("error_code")
        raise ZaloApiError(status, code if isinstance(code, int) else None,
                           str(body.get("description") or "error")[:300])

    @property
    def session(self) -> aiohttp.ClientSession:
        """The HTTP session, for other requests a channel makes (short map links)."""
        return self._client()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("ZaloBotClient.start() was not called")
        return self._session
