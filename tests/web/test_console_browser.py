"""The officials' console in headless Chromium, as an official uses it: the sign-in link asked
for in the web chat, the inbox and its filters, a record and its actions, and what a citizen
sees of them in their own web chat."""

from __future__ import annotations

import pytest

from bot.web.console.auth import COOKIE
from tests.support.officials import HOAN_KIEM, make_invite
from tests.web.browser_chat import TIMEOUT_MS, BrowserChat
from tests.web.conftest import needs_chromium
from tests.web.console_support import LINK

pytestmark = needs_chromium
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
async def context(browser):
    context = await browser.new_context(locale="vi-VN", viewport=LAPTOP)
    yield context
    await context.close()


async def open_page(context):  # noqa: ANN001, ANN201
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


async def sign_in_from_the_web_chat(context, client, db, clock, *, unit: str = HOAN_KIEM,  # noqa: ANN001, ANN201
                                    level: str = "commune"):
    """An official's browser: the web chat makes them an official and gives the link, which
    opens the console in the same browser."""
    page, errors = await open_page(context)
    chat = BrowserChat(page)
    await chat.open(str(client.make_url("/chat")))
    welcome = await chat.type("/invite " + await make_invite(db, clock, unit=unit, level=level))
    assert "Chào mừng" in welcome
    answer = await chat.type("/dangnhap")
    link = LINK.search(answer)
    assert link, answer
    await page.goto(str(client.make_url(link.group(0))))
    await page.click("#sign-in")
    await page.wait_for_selector("#items", timeout=TIMEOUT_MS)
    return page, errors


async def test_an_official_signs_in_from_a_link_got_in_the_web_chat(context, client, db, clock):
    page, errors = await sign_in_from_the_web_chat(context, client, db, clock)
    assert "Hộp thư" in await page.title()
    assert "Phường Hoàn Kiếm" in await page.locator("header .who").inner_text()
    [cookie] = [c for c in await context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert COOKIE not in await page.evaluate("document.cookie")  # out of scripts' reach
    await page.click("header button:has-text('Đăng xuất')")
    await page.wait_for_selector("#signin", timeout=TIMEOUT_MS)
    await page.goto(str(client.make_url("/console/")))
    assert await page.locator("#items").count() == 0
    assert errors == []
