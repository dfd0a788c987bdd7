"""The public consensus cannot be faked from the web chat: made-up cookies mint no voters
beyond the address's limit, and a web session's vote payloads, never offered to it, do
nothing."""

from __future__ import annotations

import secrets

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.webchat.convert import SESSION_COOKIE
from storage.models import PracticeVote
from tests.support.web_app import create_web_app
from tests.web.chat_client import PAGE_HEADER
from tests.web.factories import add_practice

HOAN_KIEM = "00070"


async def test_forty_made_up_cookies_cannot_move_a_practices_consensus(settings, db, services,
                                                                      engine, metrics):
    practice = await add_practice(db, status="recognised", commune=HOAN_KIEM,
                                  levels=("commune",), votes=(True, False))
    app = create_web_app(settings=settings.updated(
        web_chat_new_sessions_per_hour=5), db=db, services=services, engine=engine,
        metrics=metrics)
    async with TestClient(TestServer(app, host="127.0.0.1"),
                          cookie_jar=aiohttp.DummyCookieJar()) as script:
        before = await (await script.get(f"/api/practices/{practice.code}")).json()
        statuses = []
        for n in range(40):  # one request per fake voter, as the probe did
            response = await script.post("/chat/events", json={
                "id": f"fake-vote-{n:04d}", "type": "choice", "token": "a",
                "value": f"cs_sat:{practice.id}:1:5",
            }, headers={**PAGE_HEADER, "Cookie": f"{SESSION_COOKIE}={secrets.token_urlsafe(32)}"})
            statuses.append(response.status)
            if response.status == 200:
                assert "⚠️" in (await response.json())["html"]
        after = await (await script.get(f"/api/practices/{practice.code}")).json()
        card = await (await script.get(f"/practices/{practice.code}")).text()
    assert statuses == [200] * 5 + [429] * 35
    assert before["consensus"] == after["consensus"] == {
        "votes": 2, "agree": 1, "disagree": 1, "satisfaction_avg": 4.0}
    async with db.session() as session:
        assert len((await session.exec(select(PracticeVote))).all()) == 2
    assert "(2 phiếu được tính)" in card
