"""Officials of the console for tests: made with a real invite in a real chat, signed in with a
link asked for with /dangnhap, each in a browser-like HTTP session of their own (its own cookie
jar), reading pages as HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aiohttp
from aiohttp.test_utils import TestClient

from bot.web.console.auth import COOKIE
from handlers.clock import Clock
from storage.db import Database
from tests.support.engine_chat import EngineChat
from tests.support.officials import make_invite

LINK = re.compile(r"/console/login/([A-Za-z0-9_-]{32,64})")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{40})"')


async def become_official(chat: EngineChat, db: Database, clock: Clock, *, unit: str | None,
                          level: str = "commune") -> None:
    await chat.command("start", await make_invite(db, clock, unit=unit, level=level))
    assert "Chào mừng" in chat.last_text, chat.last_text


async def ask_link(chat: EngineChat) -> str:
    """The path of a fresh sign-in link, asked for with /dangnhap."""
    await chat.command("dangnhap")
    found = LINK.search(chat.last_text)
    assert found, chat.last_text
    return found.group(0)


@dataclass
class Browser:
    """One browser: its own cookies, following redirects as a browser does."""

    http: aiohttp.ClientSession

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(path) as response:
            return response.status, await response.text()

    async def post(self, path: str, data: dict | None = None, *,
                   csrf: bool = True) -> tuple[int, str]:
        form = dict(data or {})
        if csrf:
            form["csrf"] = await self.csrf()
        async with self.http.post(path, data=form) as response:
            return response.status, await response.text()

    async def csrf(self) -> str:
        _, html = await self.get("/console/")
        found = CSRF.search(html)
        assert found, html[:500]
        return found.group(1)

    def session_token(self) -> str | None:
        for cookie in self.http.cookie_jar:
            if cookie.key == COOKIE:
                return cookie.value
        return None

    async def sign_in(self, link: str) -> str:
        status, page = await self.get(link)
        assert status == 200 and 'id="sign-in"' in page, page[:500]
        status, page = await self.post(link, csrf=False)
        assert status == 200 and 'id="items"' in page, page[:800]
        return page

    async def close(self) -> None:
        await self.http.close()


def new_browser(client: TestClient) -> Browser:
    return Browser(aiohttp.ClientSession(base_url=str(client.make_url("/")),
                                         cookie_jar=aiohttp.CookieJar(unsafe=True)))
