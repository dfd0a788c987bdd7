"""Citizens' consensus votes that mean something, over the real adapters: only what the
consultation offered can be voted, a vote counts only from someone who declared they live in
the practice's commune (and that declaration is stored with it), and a web chat session alone
cannot vote while one linked to a Telegram account can."""

from __future__ import annotations

import re

import aiohttp
import pytest
from sqlmodel import select

from storage.models import Person, Practice, PracticeVote
from tests.fakes.telegram_api import FakeTelegram
from tests.support.factories import store_recognised_practice
from tests.support.officials import HOAN_KIEM
from tests.support.telegram_harness import TelegramDriver, running_app
from tests.web.chat_client import WebChatClient

LINK_CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
TITLE = "Tổ liên gia tự quản đường Láng"


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def recognised_practice(db, clock) -> Practice:  # noqa: ANN001
    practice_id = await store_recognised_practice(db, clock, commune=HOAN_KIEM)
    async with db.session() as session:
        return await session.get(Practice, practice_id)


async def votes(db) -> list[PracticeVote]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(select(PracticeVote))).all())


async def public_consensus(app, code: str) -> dict:  # noqa: ANN001
    async with aiohttp.ClientSession(base_url=app.web.url) as web, \
            web.get(f"/api/practices/{code}") as response:
        return (await response.json())["consensus"]


async def consult(voter: TelegramDriver, *, resident: bool) -> None:
    await voter.command("dongthuan")
    await voter.text("hoan kiem")
    await voter.press("🏠 Có, tôi sống ở đây" if resident else "🚶 Không, tôi không sống ở đây")
    await voter.press("🏅 " + TITLE)


async def test_only_what_was_offered_is_voted_and_a_residents_vote_counts(fast_settings, clock,
                                                                         db):
    practice = await recognised_practice(db, clock)
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa")
        async with running_app(fast_settings, fake, clock) as app:
            voter = TelegramDriver(app, fake, hoa)
            await voter.command("start")
            for forged in (f"a:cs_sat:{practice.id}:1:5", f"a:cs_vote:{practice.id}:1",
                           f"a:cs_pick:{practice.id}"):
                await voter.press_data(forged)  # a payload the bot never offered her
                assert hoa.last.text.startswith("⚠️"), forged
            assert await votes(db) == []

            await consult(voter, resident=True)
            await voter.press("👍 Đồng thuận")
            await voter.press("⭐⭐⭐⭐")
            assert "Cảm ơn bạn đã đánh giá" in hoa.last.text
            assert "(1 phiếu được tính)" in hoa.last.text
            await voter.press_data(f"a:cs_sat:{practice.id}:0:1")  # offered once, now spent
            assert hoa.last.text.startswith("⚠️")
            assert await public_consensus(app, practice.code) == {
                "votes": 1, "agree": 1, "disagree": 0, "satisfaction_avg": 4.0}
        assert fake.errors == []
    [vote] = await votes(db)
    assert (vote.agrees, vote.satisfaction, vote.resident_of) == (True, 4, HOAN_KIEM)


async def test_a_non_residents_opinion_is_kept_and_not_counted(fast_settings, clock, db):
    practice = await recognised_practice(db, clock)
    async with FakeTelegram() as fake:
        khach = fake.user(2002, first_name="Khách")
        async with running_app(fast_settings, fake, clock) as app:
            voter = TelegramDriver(app, fake, khach)
            await consult(voter, resident=False)
            await voter.press("👎 Chưa đồng thuận")
            await voter.press("⭐")
            assert "không được tính" in khach.last.text
            assert await public_consensus(app, practice.code) == {
                "votes": 0, "agree": 0, "disagree": 0, "satisfaction_avg": None}
    [vote] = await votes(db)
    assert (vote.agrees, vote.satisfaction, vote.resident_of) == (False, 1, None)


async def test_a_web_session_alone_cannot_vote_and_a_linked_one_can(fast_settings, clock, db):
    practice = await recognised_practice(db, clock)
    async with FakeTelegram() as fake:
        lan = fake.user(2003, first_name="Lan")
        async with running_app(fast_settings, fake, clock) as app, aiohttp.ClientSession(
                base_url=app.web.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            web = WebChatClient(browser)
            await web.start()
            await web.text("/dongthuan")
            await web.text("hoan kiem")
            await web.press("🏠 Có, tôi sống ở đây")
            await web.press("🏅 " + TITLE)
            assert "hãy dùng Telegram hoặc Zalo" in web.last.text
            assert not any("Đồng thuận" in b.label for b in web.last.buttons)
            for forged in (f"cs_vote:{practice.id}:1", f"cs_sat:{practice.id}:1:5"):
                await web.action({"type": "choice", "token": "a", "value": forged})
                assert web.last.text.startswith("⚠️"), forged
            assert await votes(db) == []

            on_telegram = TelegramDriver(app, fake, lan)
            await on_telegram.command("lienket")
            code = LINK_CODE.search(lan.last.text).group(0)
            await web.text(f"/lienket {code}")
            assert "Đã liên kết" in web.last.text

            await web.text("/dongthuan")
            await web.text("hoan kiem")
            await web.press("🏠 Có, tôi sống ở đây")
            await web.press("🏅 " + TITLE)
            await web.press("👍 Đồng thuận")
            await web.press("⭐⭐⭐⭐⭐")
            assert "Cảm ơn bạn đã đánh giá" in web.last.text
            assert (await public_consensus(app, practice.code))["votes"] == 1
    async with db.session() as session:
        [person] = (await session.exec(select(Person).where(Person.display_name == "Lan"))).all()
    [vote] = await votes(db)
    assert (vote.person_id, vote.resident_of, vote.satisfaction) == (person.id, HOAN_KIEM, 5)
