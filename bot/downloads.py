"""Fetching a file a person sent through a platform that hands us a URL (Zalo), within a size
limit checked while the bytes arrive, so a huge or endless response never fills memory or disk:
it goes to a temporary file, never into memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp


class TooLarge(Exception):
    """A download was bigger than allowed."""


class DownloadFailed(Exception):
    """The URL could not be fetched; the message says why, without the URL (it may hold a key)."""


async def fetch_to_file(client: aiohttp.ClientSession, url: str, target: Path, *,
                        max_bytes: int) -> int:
    """The file at `url`, written to `target` as the bytes arrive (a photo never sits in
    memory), refused past `max_bytes` (TooLarge); returns the size. The caller removes
    `target` (a temporary file)."""
    size = 0
    with target.open("wb") as handle:
        async for chunk in _chunks(client, url, max_bytes=max_bytes):
            handle.write(chunk)
            size += len(chunk)
    return size


async def _chunks(client: aiohttp.ClientSession, url: str, *,
                  max_bytes: int) -> AsyncIterator[bytes]:
    if not url.startswith(("https://", "http://")):
        raise DownloadFailed("not an http(s) URL")
    try:
        async with client.get(url) as response:
            if response.status != 200:
                raise DownloadFailed(f"download answered {response.status}")
            if (response.content_length or 0) > max_bytes:
                raise TooLarge()
            size = 0
            async for chunk in response.content.iter_chunked(65536):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge()
                yield chunk
    except (aiohttp.ClientError, TimeoutError) as error:
        raise DownloadFailed(f"download failed: {type(error).__name__}") from None
