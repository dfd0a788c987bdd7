"""Fetching a file a person sent through a platform that hands us a URL (Zalo), within a size
limit checked while the bytes arrive, so a huge or endless response never fills memory."""

from __future__ import annotations

import aiohttp


class TooLarge(Exception):
    """A download was bigger than allowed."""


class DownloadFailed(Exception):
    """The URL could not be fetched; the message says why, without the URL (it may hold a key)."""


async def fetch_bounded(client: aiohttp.ClientSession, url: str, *, max_bytes: int) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise DownloadFailed("not an http(s) URL")
    try:
        async with client.get(url) as response:
            if response.status != 200:
                raise DownloadFailed(f"download answered {response.status}")
            if (response.content_length or 0) > max_bytes:
                raise TooLarge()
            data = bytearray()
            async for chunk in response.content.iter_chunked(65536):
                data += chunk
                if len(data) > max_bytes:
                    raise TooLarge()
            return bytes(data)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise DownloadFailed(f"download failed: {type(error).__name__}") from None
