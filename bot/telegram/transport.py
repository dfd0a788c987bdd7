"""Profiling showed python-telegram-bot's default transport (HTTPXRequest: httpx, httpcore and
h11, all pure Python) costing about 45% of the bot process's CPU per update; aiohttp, already a
dependency, makes the same requests with a C-accelerated HTTP parser and a keep-alive pool for a
fraction of that, so the bot's Bot API requests go through it while PTB keeps doing the rest
(encoding parameters, turning HTTP statuses into exceptions).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot import proxies as proxy_routes
from bot.proxies import Proxies

_FORM = "application/x-www-form-urlencoded"
_NO_CONTENT_TYPE = ("Content-Type",)
POOL_FULL = ("Pool timeout: All connections in the connection pool are occupied. Request was "
             "*not* sent to Telegram. Consider adjusting the connection pool size or the pool "
             "timeout.")
"""HTTPXRequest's words for the same case, so logs and handlers read the same."""


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` on one `aiohttp.ClientSession` (keep-alive pool).

    The options and their defaults are HTTPXRequest's (PTB 22): at most
    ``connection_pool_size`` requests at once (a request waits ``pool_timeout`` for a free
    connection, then fails with `TimedOut` without being sent), ``connect_timeout`` for DNS, TCP
    and TLS, ``read_timeout`` for each read of the answer, ``write_timeout`` for sending the
    request (``media_write_timeout`` when it uploads files). None means no limit; the timeouts
    passed to a bot method override these.

    What differs from httpx: aiohttp has no timeout per socket write, so an upload is bounded as
    a whole: from the moment it has its place in the pool until the answer's headers, connect +
    write + read timeouts (a stalled upload ends in `TimedOut`, a slow one that makes progress
    does too, where httpx would let it go on). Requests without files are form-encoded bodies of
    a few kilobytes that the socket takes at once, as with httpx. Proxies (HTTPS_PROXY,
    ALL_PROXY, NO_PROXY: ``proxies``, by default the environment's) are used as httpx would,
    and SOCKS ones too (bot/proxies.py).

    Sizes: 256 like PTB for a bot's requests (its updates are handled up to 256 at once), 1 for
    the one ``getUpdates`` long poll, whose read timeout PTB raises by the poll's own timeout.
    """

    __slots__ = ("_connect_timeout", "_media_write_timeout", "_pool_size", "_pool_timeout",
                 "_proxies", "_read_timeout", "_routes", "_sessions", "_shut_down", "_slots",
                 "_write_timeout")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxies: Proxies | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._routes = proxies if proxies is not None else Proxies.from_environment()
        self._sessions: dict[str | None, aiohttp.ClientSession] = {}
        """One session per SOCKS proxy in use (a SOCKS proxy is a connector), None: the rest."""
        self._slots: asyncio.Semaphore | None = None
        self._shut_down = False
        self._proxies: dict[tuple[str, str | None], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """See `BaseRequest.read_timeout`: the default read timeout, in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session, in the running loop (again after a `shutdown`)."""
        self._shut_down = False
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._pool_size)

    async def shutdown(self) -> None:
        """Close the sessions and their connections; a second call does nothing."""
        self._shut_down = True
        sessions, self._sessions, self._slots = self._sessions, {}, None
        for session in sessions.values():
            if not session.closed:
                await session.close()

    def _session_for(self, socks_proxy: str | None) -> aiohttp.ClientSession:
        # Created here, not in __init__: a session and a semaphore belong to the running loop.
        session = self._sessions.get(socks_proxy)
        if session is None or session.closed:
            session = aiohttp.ClientSession(
                connector=proxy_routes.connector(socks_proxy, limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(),  # each request sets its own
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none
            )
            self._sessions[socks_proxy] = session
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._pool_size)
        return session

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See `BaseRequest.do_request`: the HTTP status and body, whatever the status."""
        if self._shut_down:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        proxy = self._proxy_for(url)
        # used before initialize(), as HTTPXRequest allows: the session opens on first use
        session = self._session_for(proxy if proxy_routes.is_socks(proxy) else None)
        slots = self._slots
        assert slots is not None

        files = request_data is not None and request_data.contains_files
        default = BaseRequest.DEFAULT_NONE
        if read_timeout is default:
            read_timeout = self._read_timeout
        if connect_timeout is default:
            connect_timeout = self._connect_timeout
        if pool_timeout is default:
            pool_timeout = self._pool_timeout
        if write_timeout is default:
            write_timeout = self._media_write_timeout if files else self._write_timeout

        body: Any = None  # a GET, or a POST without parameters (getMe): no body at all
        if files:
            body = _multipart(request_data)
        elif request_data is not None:
            parameters = request_data.json_parameters
            if parameters:
                body = aiohttp.BytesPayload(urlencode(parameters).encode(), content_type=_FORM)
        timeout = aiohttp.ClientTimeout(connect=connect_timeout, sock_connect=connect_timeout,
                                        sock_read=read_timeout)
        upload_deadline = (connect_timeout + write_timeout + read_timeout
                           if files and None not in (connect_timeout, write_timeout, read_timeout)
                           else None)

        deadline = asyncio.timeout(upload_deadline)
        if slots.locked():
            try:
                async with asyncio.timeout(pool_timeout):
                    await slots.acquire()
            except TimeoutError:
                raise TimedOut(POOL_FULL) from None
        else:
            await slots.acquire()
        try:
            try:
                async with deadline:
                    response = await session.request(
                        method, url, data=body, timeout=timeout, allow_redirects=False,
                        proxy=proxy_routes.request_proxy(proxy),
                        # no Content-Type on an empty POST (aiohttp would say octet-stream)
                        skip_auto_headers=_NO_CONTENT_TYPE if body is None else None)
                async with response:
                    return response.status, await response.read()
            except aiohttp.ConnectionTimeoutError:
                raise TimedOut("Timed out connecting to the Bot API") from None
            except aiohttp.SocketTimeoutError:
                raise TimedOut("Timed out waiting for the Bot API's answer") from None
            except TimeoutError:
                raise TimedOut("Timed out sending the upload to the Bot API" if deadline.expired()
                               else "Timed out") from None
            except (aiohttp.ClientError, OSError) as error:
                # No `from error`: aiohttp's messages and tracebacks carry the URL, and with it
                # the bot's token.
                raise NetworkError(f"aiohttp.{type(error).__name__}: "
                                   f"{_redacted(str(error), url)}") from None
        finally:
            slots.release()


    def _proxy_for(self, url: str) -> str | None:
        """The proxy for this URL's scheme and host, looked up once per host (aiohttp's own
        `trust_env` would read the environment and ~/.netrc on every request)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname)
        if key not in self._proxies:
            self._proxies[key] = self._routes.for_url(url)
        return self._proxies[key]


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """The multipart/form-data body HTTPXRequest sends: the parameters as fields, then the
    files as (filename, content, MIME type) parts. File names go as UTF-8, like httpx, not
    percent-encoded as aiohttp does by default (only a quote differs: \\" here, %22 there)."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


def _redacted(text: str, url: str) -> str:
    """The text without the request's URL path, where the bot's token is."""
    parts = urlsplit(url)
    text = text.replace(url, f"{parts.scheme}://{parts.netloc}/<redacted>")
    if len(parts.path) > 1:
        text = text.replace(parts.path, "/<redacted>")
    return text


__all__ = ["AiohttpRequest"]
