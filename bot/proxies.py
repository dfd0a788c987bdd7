"""Outgoing proxies for the platforms' APIs. Telegram is blocked by Viet Nam's main ISPs, so
operators there reach it through a proxy, often SOCKS5 (`ssh -D`, a VPN client's local port).

The settings HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY mean what they mean for curl and
httpx, whether they come from the environment or `.env`: the proxy for a URL is its scheme's,
else ALL_PROXY, unless NO_PROXY names the host. `http://` proxies go per request (aiohttp's
`proxy=`); `socks5://`, `socks5h://` (the proxy resolves host names: use it where DNS is
filtered), `socks4://` and `socks4a://` need a connector of their own (aiohttp-socks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from urllib.request import (  # type: ignore[attr-defined]  # not in typeshed
    getproxies,
    proxy_bypass_environment,
)

import aiohttp
from aiohttp_socks import ProxyConnector

from settings import ProxySettings

SOCKS_SCHEMES = {"socks5": ("socks5", False), "socks5h": ("socks5", True),
                 "socks4": ("socks4", False), "socks4a": ("socks4", True)}
"""Our scheme -> (python-socks' scheme, whether the proxy resolves host names)."""
PROXY_SCHEMES = ("http", "https", *SOCKS_SCHEMES)


@dataclass(frozen=True)
class Proxies:
    """Which proxy, if any, a URL goes through."""

    by_scheme: Mapping[str, str] = field(default_factory=dict)
    """"https", "http" or "all" -> the proxy's URL."""
    no_proxy: str = ""

    @classmethod
    def from_settings(cls, settings: ProxySettings) -> Proxies:
        by_scheme = {scheme: value for scheme, value in (
            ("https", settings.https_proxy), ("http", settings.http_proxy),
            ("all", settings.all_proxy)) if value}
        return cls(by_scheme, settings.no_proxy or "")

    @classmethod
    def from_environment(cls) -> Proxies:
        found = getproxies()
        return cls({k: v for k, v in found.items() if k in ("https", "http", "all")},
                   found.get("no", ""))

    def for_url(self, url: str) -> str | None:
        parts = urlsplit(url)
        proxy = self.by_scheme.get(parts.scheme) or self.by_scheme.get("all")
        if not proxy or not parts.hostname:
            return None
        if self.no_proxy and proxy_bypass_environment(parts.hostname, {"no": self.no_proxy}):
            return None
        return proxy


def is_socks(proxy: str | None) -> bool:
    return bool(proxy) and urlsplit(proxy).scheme.lower() in SOCKS_SCHEMES


def connector(proxy: str | None, **options: Any) -> aiohttp.BaseConnector:
    """A connector that opens every connection through `proxy` when it is a SOCKS proxy, else a
    plain one (an HTTP proxy is given per request: `request_proxy`)."""
    if not is_socks(proxy):
        return aiohttp.TCPConnector(**options)
    assert proxy is not None
    parts = urlsplit(proxy)
    scheme, remote_dns = SOCKS_SCHEMES[parts.scheme.lower()]
    return ProxyConnector.from_url(proxy.replace(parts.scheme, scheme, 1), rdns=remote_dns,
                                   **options)


def request_proxy(proxy: str | None) -> str | None:
    """aiohttp's per-request `proxy=`: HTTP proxies only (SOCKS goes by the connector)."""
    return proxy if proxy and not is_socks(proxy) else None


def session(url: str, proxies: Proxies, **options: Any) -> tuple[aiohttp.ClientSession,
                                                                   str | None]:
    """A session for requests to the host of `url`, and the `proxy=` to pass with each."""
    proxy = proxies.for_url(url)
    limit = options.pop("limit", 100)
    return (aiohttp.ClientSession(connector=connector(proxy, limit=limit), **options),
            request_proxy(proxy))

