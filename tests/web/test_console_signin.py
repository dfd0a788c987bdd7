"""Signing in to the officials' console without a password: /dangnhap in the chat gives a
one-time link; the link starts a session in an HttpOnly, SameSite=Strict cookie; the session
ends when unused for 12 hours, after 7 days, at sign-out, and when the person's role is
removed. Anyone without a session gets the sign-in page, never data."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.cli import build_parser
from bot.web.console.auth import COOKIE
from storage.models import AuditEntry, ConsoleSession, ConsoleSignInLink, ProcessedUpdate
from storage.repositories.console_sessions import token_hash
from tests.support.officials import HOAN_KIEM, make_invite
from tests.web.chat_client import WebChatClient
from tests.web.console_support import LINK, ask_link, become_official, new_browser

SIGN_IN_PAGE = 'id="signin"'


@pytest.fixture
async def official(make_chat, db, clock):
    chat = make_chat(501, "Cán bộ Hoàn Kiếm")
    await become_official(chat, db, clock, unit=HOAN_KIEM)
    return chat


@pytest.fixture
async def browser(client):
    browser = new_browser(client)
    yield browser
    await browser.close()


async def _rows(db, model):  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(model))).all()


async def test_an_official_signs_in_with_a_one_time_link(official, browser, client, db):
    await official.command("dangnhap")
    text = official.last_text
    assert "dùng một lần, trong 10 phút" in text
    link = LINK.search(text)
    token = link.group(1)
    [stored] = await _rows(db, ConsoleSignInLink)
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash

    status, page = await browser.get(link.group(0))  # a link preview would stop here
    assert status == 200 and 'id="sign-in"' in page
    async with browser.http.post(link.group(0), allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/console/"
        cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/console/" and not cookie["secure"]  # plain http here
    assert int(cookie["max-age"]) == 7 * 24 * 3600

    status, page = await browser.get("/console/")
    assert status == 200 and "Hộp thư" in page and "Cán bộ Hoàn Kiếm" in page
    [session] = await _rows(db, ConsoleSession)
    assert session.token_hash == token_hash(browser.session_token())
    actions = [(e.action, e.channel) for e in await _rows(db, AuditEntry)]
    assert ("console.link", "telegram") in actions and ("console.signin", "console") in actions


async def test_a_used_or_expired_link_gets_the_sign_in_page(official, client, db, clock):
    used = await ask_link(official)
    first, second = new_browser(client), new_browser(client)
    try:
        await first.sign_in(used)
        for attempt in (second.get(used), second.post(used, csrf=False)):
            status, page = await attempt
            assert status == 401 and SIGN_IN_PAGE in page and "đã được dùng" in page
        expired = await ask_link(official)
        clock.advance(minutes=10, seconds=1)
        status, page = await second.post(expired, csrf=False)
        assert status == 401 and SIGN_IN_PAGE in page and 'id="items"' not in page
        assert second.session_token() is None
        assert len(await _rows(db, ConsoleSession)) == 1
    finally:
        await first.close()
        await second.close()


async def test_a_citizen_is_told_kindly_and_gets_no_link(make_chat, db):
    citizen = make_chat(777, "Dân")
    await citizen.command("dangnhap")
    assert "dành cho cán bộ dân vận" in citizen.last_text
    assert not LINK.search(citizen.last_text)
    assert await _rows(db, ConsoleSignInLink) == []


async def test_anyone_without_a_session_gets_the_sign_in_page(browser, client):
    for path in ("/console/", "/console/?kind=practice&status=submitted"):
        status, page = await browser.get(path)
        assert status == 401 and SIGN_IN_PAGE in page and "/dangnhap" in page
    browser.http.cookie_jar.update_cookies({COOKIE: "A" * 43})  # a token never issued
    status, page = await browser.get("/console/")
    assert status == 401 and SIGN_IN_PAGE in page


async def test_a_session_ends_after_12_idle_hours_and_after_7_days(official, client, clock):
    idle, busy = new_browser(client), new_browser(client)
    try:
        await idle.sign_in(await ask_link(official))
        await busy.sign_in(await ask_link(official))
        for _ in range(15):  # busy: used every 11 hours, for 7 days
            clock.advance(hours=11)
            status, _ = await busy.get("/console/")
            assert status == 200
        status, page = await idle.get("/console/")
        assert status == 401 and "hết hạn" in page
        clock.advance(hours=4)  # 7 days and 1 hour since it began
        status, page = await busy.get("/console/")
        assert status == 401 and SIGN_IN_PAGE in page
    finally:
        await idle.close()
        await busy.close()


async def test_signing_in_again_rotates_the_session(official, browser):
    await browser.sign_in(await ask_link(official))
    before = browser.session_token()
    await browser.sign_in(await ask_link(official))
    after = browser.session_token()
    assert after != before
    browser.http.cookie_jar.clear()
    browser.http.cookie_jar.update_cookies({COOKIE: before})
    status, _ = await browser.get("/console/")
    assert status == 401


async def test_signing_out_ends_the_session_and_needs_the_csrf_token(official, browser, db):
    await browser.sign_in(await ask_link(official))
    status, page = await browser.post("/console/logout", csrf=False)
    assert status == 403 and "mã bảo vệ" in page
    assert len(await _rows(db, ConsoleSession)) == 1
    status, page = await browser.post("/console/logout")
    assert status == 200 and "Bạn đã đăng xuất" in page
    assert await _rows(db, ConsoleSession) == []
    status, _ = await browser.get("/console/")
    assert status == 401


async def test_removing_the_role_ends_every_session(official, client, db, settings):
    browsers = [new_browser(client), new_browser(client)]
    try:
        for browser in browsers:
            await browser.sign_in(await ask_link(official))
        waiting = await ask_link(official)  # asked for, never opened
        [person_id] = {s.person_id for s in await _rows(db, ConsoleSession)}
        args = build_parser().parse_args(["officials", "remove", str(person_id)])
        assert await asyncio.to_thread(args.run, settings, args) == 0
        assert await _rows(db, ConsoleSession) == []
        for browser in browsers:
            status, page = await browser.get("/console/")
            assert status == 401 and 'id="items"' not in page
        status, _ = await browsers[0].post(waiting, csrf=False)
        assert status == 401
    finally:
        for browser in browsers:
            await browser.close()


async def test_the_web_chat_does_not_keep_the_link_for_a_retried_request(client, db, clock):
    chat = WebChatClient(client)
    await chat.start()
    await chat.text("/invite " + await make_invite(db, clock, unit=HOAN_KIEM))
    await chat.text("/dangnhap")
    token = LINK.search(chat.last.text).group(1)
    kept = " ".join(str(row.answer) for row in await _rows(db, ProcessedUpdate))
    assert token not in kept
