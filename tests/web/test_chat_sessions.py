"""Web chat sessions are issued by the server only: an invented cookie is no session, new
sessions per address are limited per hour and per day, the token changes when the session
gains rights, and the cookie is Secure whenever the visitor came over https."""

from __future__ import annotations

import hashlib
import re
import secrets

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from bot.webchat.convert import SESSION_COOKIE
from storage.models import Channel, ChannelAccount, Person
from tests.support.factories import make_invite
from tests.support.officials import HOAN_KIEM
from tests.support.web_app import create_web_app
from tests.web.chat_client import PAGE_HEADER, WebChatClient

LINK_CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


def invented_token() -> str:
    return secrets.token_urlsafe(32)


def hashed(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:32]


def app_with(settings, db, services, engine, metrics, **changes):  # noqa: ANN001, ANN201
    return create_web_app(settings=settings.updated(**changes), db=db,
                          services=services, engine=engine, metrics=metrics)


async def start_with_cookie(client: TestClient, token: str | None, n: int,
                            headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
    """What a script does: post an action with a cookie of its choosing (or none)."""
    sent = {**PAGE_HEADER, **(headers or {})}
    if token is not None:
        sent["Cookie"] = f"{SESSION_COOKIE}={token}"
    return await client.post("/chat/events", json={"id": f"scripted-{n:04d}", "type": "command",
                                                   "name": "start"}, headers=sent)


async def web_accounts(db) -> list[ChannelAccount]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(
            select(ChannelAccount).where(ChannelAccount.channel == Channel.WEB)
            .order_by(col(ChannelAccount.id)))).all())


def token_of(client: TestClient) -> str:
    return next(c.value for c in client.session.cookie_jar if c.key == SESSION_COOKIE)


async def test_a_cookie_the_server_never_issued_is_no_session(web_app, db):
    made_up = invented_token()
    async with TestClient(TestServer(web_app, host="127.0.0.1"),
                          cookie_jar=aiohttp.DummyCookieJar()) as script:
        response = await start_with_cookie(script, made_up, 1)
        assert response.status == 200
        issued = response.cookies[SESSION_COOKIE].value
        again = await start_with_cookie(script, made_up, 2)  # the same made-up cookie again
        reissued = again.cookies[SESSION_COOKIE].value
        kept = await start_with_cookie(script, issued, 3)  # the one the server gave
    assert issued != made_up and reissued not in (made_up, issued)
    assert kept.cookies[SESSION_COOKIE].value == issued
    accounts = await web_accounts(db)
    assert sorted(a.external_id for a in accounts) == sorted([hashed(issued), hashed(reissued)])
    assert hashed(made_up) not in {a.external_id for a in accounts}


async def test_forty_made_up_cookies_cannot_mint_forty_people(settings, db, services, engine,
                                                              metrics):
    app = app_with(settings, db, services, engine, metrics, web_chat_new_sessions_per_hour=5)
    async with TestClient(TestServer(app, host="127.0.0.1"),
                          cookie_jar=aiohttp.DummyCookieJar()) as script:
        statuses = [(await start_with_cookie(script, invented_token(), n)).status
                    for n in range(40)]
    assert statuses == [200] * 5 + [429] * 35
    async with db.session() as session:
        people = (await session.exec(select(Person))).all()
    assert len(await web_accounts(db)) == 5 and len(people) == 5


async def test_new_sessions_are_limited_per_day_as_well(settings, db, services, engine, metrics):
    app = app_with(settings, db, services, engine, metrics, web_chat_new_sessions_per_hour=50,
                   web_chat_new_sessions_per_day=3)
    async with TestClient(TestServer(app, host="127.0.0.1"),
                          cookie_jar=aiohttp.DummyCookieJar()) as script:
        statuses = [(await start_with_cookie(script, None, n)).status for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(await web_accounts(db)) == 3


async def test_a_trusted_proxy_names_the_client_and_its_https(settings, db, services, engine,
                                                             metrics):
    """Behind a trusted proxy each client has its own limit and https marks the cookie
    Secure; the same headers from a peer nobody trusts change nothing."""
    https = {"X-Forwarded-Proto": "https"}
    trusting = app_with(settings, db, services, engine, metrics, trusted_proxies="127.0.0.1",
                        web_chat_new_sessions_per_hour=2)
    async with TestClient(TestServer(trusting, host="127.0.0.1"),
                          cookie_jar=aiohttp.DummyCookieJar()) as proxy:
        first = [await start_with_cookie(proxy, None, n, {**https,
                 "X-Forwarded-For": "198.51.100.7, 203.0.113.5"}) for n in range(3)]
        other = await start_with_cookie(proxy, None, 9, {"X-Forwarded-For": "203.0.113.6"})
    assert [r.status for r in first] == [200, 200, 429]
    assert first[0].cookies[SESSION_COOKIE]["secure"]
    assert other.status == 200 and not other.cookies[SESSION_COOKIE]["secure"]  # plain http

    distrusting = app_with(settings, db, services, engine, metrics, trusted_proxies="10.0.0.0/8",
                           web_chat_new_sessions_per_hour=2)
    async with TestClient(TestServer(distrusting, host="127.0.0.1"),
                          cookie_jar=aiohttp.DummyCookieJar()) as stranger:
        claims = [await start_with_cookie(stranger, None, n, {
            **https, "X-Forwarded-For": f"203.0.113.{n}"}) for n in range(3)]
    assert [r.status for r in claims] == [200, 200, 429]  # one address, whatever it claims
    assert not claims[0].cookies[SESSION_COOKIE]["secure"]


async def test_the_token_changes_when_an_invite_is_redeemed(web_app, client, db, clock):
    chat = WebChatClient(client)
    await chat.start()
    before = token_of(client)
    await chat.text("/invite " + await make_invite(db, clock, unit=HOAN_KIEM))
    assert "Chào mừng" in chat.last.text
    after = token_of(client)
    assert after != before
    [account] = await web_accounts(db)
    assert account.external_id == hashed(after)

    async with TestClient(TestServer(web_app, host="127.0.0.1"),
                          cookie_jar=aiohttp.DummyCookieJar()) as thief:
        stolen = await start_with_cookie(thief, before, 1)  # the token read before
        assert stolen.cookies[SESSION_COOKIE].value not in (before, after)
        inbox = await thief.post("/chat/events", json={
            "id": "thief-inbox", "type": "text", "text": "/hopthu"},
            headers={**PAGE_HEADER, "Cookie": f"{SESSION_COOKIE}={before}"})
        assert "Hộp thư" not in (await inbox.json())["html"]
    await chat.text("/hopthu")  # the official's own browser keeps working
    assert "Hộp thư" in chat.last.text


async def test_the_token_changes_when_a_link_code_is_asked_for_and_redeemed(web_app, client, db):
    asking = WebChatClient(client)
    await asking.start()
    before = token_of(client)
    await asking.text("/lienket")
    code = LINK_CODE.search(asking.last.text).group(0)
    assert token_of(client) != before
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as other_browser:
        redeeming = WebChatClient(other_browser)
        await redeeming.start()
        other_before = token_of(other_browser)
        await redeeming.text(f"/lienket {code}")
        assert "Đã liên kết" in redeeming.last.text
        other_after = token_of(other_browser)
    assert other_after != other_before
    accounts = await web_accounts(db)
    assert {a.external_id for a in accounts} == {hashed(token_of(client)), hashed(other_after)}
    assert len({a.person_id for a in accounts}) == 1
