"""Who sent a request, and over what, when a reverse proxy may stand in between.

X-Forwarded-For and X-Forwarded-Proto are anyone's to write, so they are believed only when
the peer that connected is one of `TRUSTED_PROXIES`; then the client is the nearest address in
X-Forwarded-For that is not itself a trusted proxy, and the scheme is the one the proxy saw.
Per-address limits (new web chat sessions) key on `client_address`; the session cookie's
`Secure` flag follows `came_over_https`.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import web

Networks = Sequence[IPv4Network | IPv6Network]


def _trusted(address: str | None, trusted: Networks) -> bool:
    if not address or not trusted:
        return False
    try:
        parsed: IPv4Address | IPv6Address = ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def _forwarded_for(request: web.Request) -> list[str]:
    hops: list[str] = []
    for header in request.headers.getall("X-Forwarded-For", []):
        hops += [hop.strip() for hop in header.split(",") if hop.strip()]
    return hops


def client_address(request: web.Request, trusted: Networks) -> str:
    """The client's address: the peer's, or behind trusted proxies the last hop they name."""
    peer = request.remote or "?"
    if not _trusted(peer, trusted):
        return peer
    for hop in reversed(_forwarded_for(request)):
        if not _trusted(hop, trusted):
            return hop[:64]
    return peer


def came_over_https(request: web.Request, trusted: Networks) -> bool:
    """True when the client's connection was https: ours, or a trusted proxy's."""
    if request.secure:
        return True
    if not _trusted(request.remote, trusted):
        return False
    proto = request.headers.get("X-Forwarded-Proto", "")
    return proto.split(",")[0].strip().lower() == "https"
