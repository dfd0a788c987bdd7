"""The kinds of value settings hold, each parsed and checked once, with the one-line message a
person editing `.env` reads when a value is wrong.

URLs are checked by pydantic's URL types (`AnyHttpUrl`, `HttpUrl` with `UrlConstraints`) but kept
as the text given: the product appends paths and tokens to them, and pydantic's URL objects add
a trailing slash to a bare host. Lists arrive as comma-separated text (`NoDecode`: not JSON)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    AnyUrl,
    BeforeValidator,
    TypeAdapter,
    UrlConstraints,
)
from pydantic import ValidationError as _ValidationError
from pydantic_settings import NoDecode

_HTTP = TypeAdapter(AnyHttpUrl)
_HTTPS = TypeAdapter(Annotated[AnyHttpUrl, UrlConstraints(allowed_schemes=["https"])])
_PROXY = TypeAdapter(Annotated[AnyUrl, UrlConstraints(
    allowed_schemes=["http", "https", "socks5", "socks5h", "socks4", "socks4a"],
    host_required=True)])


def _url_text(adapter: TypeAdapter[Any], message: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            adapter.validate_python(value)
        except _ValidationError:
            raise ValueError(message) from None
        return value
    return check


def _off_is_none(value: object) -> object:
    """An empty value is "not set"; "off" or "none" turn an optional URL off."""
    if isinstance(value, str) and value.strip().lower() in ("", "off", "none"):
        return None
    return value


HttpUrlText = Annotated[str, AfterValidator(_url_text(_HTTP,
                                                      "must be an http:// or https:// URL"))]
"""An http(s) URL, kept as written."""

OptionalHttpUrlText = Annotated[HttpUrlText | None, BeforeValidator(_off_is_none)]


def https_only(message: str) -> AfterValidator:
    """An optional https URL (webhooks: the platforms only call HTTPS), refused with `message`."""
    check = _url_text(_HTTPS, message)
    return AfterValidator(lambda value: check(value) if value else None)


def _proxy_url(value: object) -> object:
    if not isinstance(value, str) or not value.strip():
        return None
    if "://" not in value:  # curl's reading of a bare host:port
        value = f"http://{value}"
    message = ("must be a proxy URL like socks5h://127.0.0.1:1080 or "
               "http://proxy.example:3128")
    _url_text(_PROXY, message)(value)
    if _PROXY.validate_python(value).path not in (None, "", "/"):
        raise ValueError(message)
    return value


ProxyUrlText = Annotated[str | None, BeforeValidator(_proxy_url)]
"""An outgoing proxy as curl reads it (a bare host:port is an http proxy)."""


def _split(value: object) -> list[object]:
    """ "a, b,c" -> ["a", "b", "c"]; a list or tuple (given in code) as it is."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value) if isinstance(value, list | tuple) else [value]


def _positive_numbers(value: object) -> tuple[int, ...]:
    try:
        numbers = [int(str(part)) for part in _split(value)]
    except (ValueError, TypeError):
        raise ValueError("must be whole numbers separated by commas, like 30,7,1") from None
    if not numbers or any(n <= 0 for n in numbers):
        raise ValueError("must be whole numbers above 0 separated by commas, like 30,7,1")
    return tuple(numbers)


def _largest_first(value: object) -> tuple[int, ...]:
    return tuple(sorted(_positive_numbers(value), reverse=True))


def _smallest_first(value: object) -> tuple[int, ...]:
    return tuple(sorted(_positive_numbers(value)))


NumbersLargestFirst = Annotated[tuple[int, ...], NoDecode, BeforeValidator(_largest_first)]
NumbersSmallestFirst = Annotated[tuple[int, ...], NoDecode, BeforeValidator(_smallest_first)]


def _networks(value: object) -> tuple[IPv4Network | IPv6Network, ...]:
    try:
        return tuple(part if isinstance(part, IPv4Network | IPv6Network)
                     else ip_network(str(part).strip(), strict=False)
                     for part in _split(value))
    except ValueError:
        raise ValueError("must be IP addresses or networks separated by commas, "
                         "like 127.0.0.1,10.0.0.0/8") from None


Networks = Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode, BeforeValidator(_networks)]


def _names(value: object) -> tuple[str, ...]:
    names = tuple(str(name) for name in dict.fromkeys(_split(value)))
    if not names or not all(re.fullmatch(r"[a-z][a-z0-9_]{0,31}", name) for name in names):
        raise ValueError("must be category names (a-z, 0-9, _) separated by commas, "
                         "like infrastructure,environment,other")
    return names


Names = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_names)]


def quiet_window(value: str) -> tuple[time, time] | None:
    """ "21-7" or "21:00-07:00" -> (21:00, 07:00); "" or "off" -> None."""
    if value.strip().lower() in ("", "off", "none"):
        return None
    try:
        start, end = (time.fromisoformat(part.strip().zfill(2) if ":" not in part
                                         else part.strip().zfill(5))
                      for part in value.split("-"))
    except ValueError:
        raise ValueError("must be START-END hours, like 21-7 or 21:00-07:00, or off") from None
    if start == end:
        raise ValueError("start and end of quiet hours must differ")
    return start, end


def _hour_range(value: str) -> str:
    quiet_window(value)
    return value


HourRange = Annotated[str, AfterValidator(_hour_range)]


_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "sqlite+aiosqlite": "sqlite+aiosqlite",
                  "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg",
                  "postgresql+asyncpg": "postgresql+asyncpg"}


def async_database_url(url: str) -> str:
    """The URL with the async driver the product runs on: hosting services and 12-factor guides
    give `postgres://…` or `postgresql://…` (and `sqlite:///…` is the plain SQLAlchemy form).
    libpq's `sslmode=` becomes asyncpg's `ssl=`, which takes the same values."""
    scheme, separator, rest = url.strip().partition("://")
    driver = _ASYNC_DRIVERS.get(scheme.lower()) if separator else None
    if driver is None:
        raise ValueError("must be sqlite:///path/to/file.db or "
                         "postgresql://user:password@host:5432/database")
    if driver == "postgresql+asyncpg":
        rest = re.sub(r"([?&])sslmode=", r"\1ssl=", rest)
    return f"{driver}://{rest}"


DatabaseUrl = Annotated[str, AfterValidator(async_database_url)]
