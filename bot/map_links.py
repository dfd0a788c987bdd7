"""Short map links (maps.app.goo.gl/…), which is what "Share" in the Google Maps app gives,
hold no coordinates; the address they redirect to usually does. A message that is only such a
link is replaced by that address, so `handlers/geo.py` can read the place from it.

Only the short-link hosts are ever asked, one redirect at a time, and never followed further
than needed: a request never goes to an address a user chose.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlparse

import aiohttp

from handlers.geo import parse_coordinates

log = logging.getLogger(__name__)

SHORT_HOSTS = frozenset({"maps.app.goo.gl", "goo.gl", "g.co"})
MAX_HOPS = 4
TIMEOUT_SECONDS = 5


async def expand(text: str, session: aiohttp.ClientSession, *,
                 hosts: frozenset[str] = SHORT_HOSTS) -> str:
    """The long address behind a lone short map link, or `text` unchanged."""
    url = text.strip()
    if " " in url or not _short(url, hosts):
        return text
    for _ in range(MAX_HOPS):
        try:
            async with session.get(url, allow_redirects=False,
                                   timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as reply:
                location = reply.headers.get("Location")
        except (aiohttp.ClientError, TimeoutError) as error:
            log.info("map link not expanded", extra={"error": type(error).__name__})
            return text
        if not location:
            return text
        url = urljoin(url, location)
        if parse_coordinates(url) is not None or not _short(url, hosts):
            return url
    return text


def _short(url: str, hosts: frozenset[str]) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("https", "http") and (parsed.hostname or "") in hosts
