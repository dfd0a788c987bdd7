"""The OA's OAuth tokens: refreshed once when Zalo says the access token expired mid-flow (the
flow goes on, the new pair is stored), refreshed ahead of expiry, never spent twice by two
concurrent refreshes (even in two processes), and a refused refresh token shouted on /healthz
until `dvk oa-auth` grants access again."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from pydantic import SecretStr

from bot.oa_auth_cli import grant
from bot.zalo_oa.oauth import OAuthClient
from bot.zalo_oa.tokens import TokenManager, TokenUnavailable
from storage.repositories import zalo_oa as repo
from tests.fakes.zalo_oa_api import REFRESH_REUSED, FakeZaloOA
from tests.zalo_oa.harness import OADriver, oa_settings, running_app


async def stored_pair(db, fake: FakeZaloOA) -> tuple[str, str]:  # noqa: ANN001
    async with db.session() as session:
        row = await repo.load_token(session, app_id=fake.app_id)
    return row.access_token, row.refresh_token


async def test_expired_mid_flow_one_refresh_flow_goes_on_pair_stored(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        lan, hung = fake.user("8001", "Lan"), fake.user("8002", "Hùng")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            assert len(fake.refresh_calls) == 1  # at start: the seed became a pair
            first_access, first_refresh = await stored_pair(db, fake)
            a, b = OADriver(app, fake, lan), OADriver(app, fake, hung)
            await a.text("/mohinh")
            await b.text("/mohinh")

            fake.expire_access_tokens()  # Zalo drops the token while both are mid-flow
            keys = await asyncio.gather(lan.tap("Tập thể"), hung.tap("Cá nhân"))
            await asyncio.gather(*(app.zalo_oa.wait_processed(k) for k in keys))
            assert "Tập thể thuộc loại nào?" in lan.last.text
            assert "Bạn là ai?" in hung.last.text
            assert len(fake.refresh_calls) == 2 and fake.refresh_calls[1] == first_refresh
            assert fake.rejected == []  # -216 is not a refused message: the send was repeated

            access, refresh = await stored_pair(db, fake)
            assert (access, refresh) != (first_access, first_refresh)
            assert fake.access_tokens[access] > clock.now() and fake.refresh_tokens[refresh]

            # Ahead of expiry (25 h; 30 min margin) the token is refreshed before sending.
            clock.advance(hours=24, minutes=45)
            await a.text("1")
            assert len(fake.refresh_calls) == 3 and "đang làm dở" in lan.last.text
            await a.press("Tiếp tục")  # the draft survived the day
            assert "Tập thể thuộc loại nào?" in lan.last.text
        # A restart reads the pair from the database (the used-up seed is not put back).
        async with running_app(settings, clock, fake, refresh_token=fake.refresh_calls[0]):
            assert len(fake.refresh_calls) == 3
        assert fake.errors == []


async def test_two_concurrent_refreshes_do_not_burn_the_token(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        seed = fake.issue_refresh_token()
        configured = oa_settings(settings, fake, refresh_token=seed)

        def manager(sleep=asyncio.sleep) -> TokenManager:  # noqa: ANN001
            oauth = OAuthClient(fake.base_url, app_id=fake.app_id, app_secret=fake.app_secret)
            return TokenManager(repo.ZaloOATokenStore(db), oauth, clock, sleep=sleep,
                                seed_refresh_token=configured.zalo_oa.refresh_token
                                .get_secret_value())

        one = manager()
        await one.setup()
        # In one process: ten callers at once, one refresh.
        tokens = await asyncio.gather(*(one.access_token() for _ in range(10)))
        assert len(set(tokens)) == 1 and fake.refresh_calls == [seed]

        # In two processes (two managers on one database): the second waits for the first.
        waiting = asyncio.Event()

        async def polls(_: float) -> None:
            waiting.set()
            await asyncio.sleep(0)

        two = manager(sleep=polls)
        await two.setup()
        fake.refresh_gate = asyncio.Event()
        fake.refresh_started.clear()
        first = asyncio.create_task(one.refresh(stale=tokens[0]))
        await fake.refresh_started.wait()  # the first is at Zalo, holding the lease
        second = asyncio.create_task(two.refresh(stale=tokens[0]))
        await waiting.wait()  # the second saw the lease and waits, without calling Zalo
        fake.refresh_gate.set()
        new_one, new_two = await asyncio.gather(first, second)
        assert new_one == new_two != tokens[0]
        assert len(fake.refresh_calls) == 2 and two.refreshes == 0
        _, refresh = await stored_pair(db, fake)
        assert fake.refresh_tokens[refresh] is True  # not burned: the next refresh works
        assert await two.refresh(stale=new_two) != new_two
        assert fake.errors == []


async def test_a_reused_refresh_token_is_surfaced_and_oa_auth_recovers(settings, clock, db,
                                                                       caplog):
    async with FakeZaloOA(clock) as fake:
        seed = fake.issue_refresh_token()
        fake.refresh_tokens[seed] = False  # already spent (say, by a copy of the bot elsewhere)
        with caplog.at_level(logging.CRITICAL, logger="bot.zalo_oa.tokens"):
            async with running_app(settings, clock, fake, refresh_token=seed) as app:
                async with aiohttp.ClientSession() as http, http.get(
                        f"{app.web.url}healthz") as response:
                    health = await response.json()
                assert response.status == 200 and health["status"] == "degraded"
                assert health["zalo_oa"]["token"] == "rejected"
                assert str(REFRESH_REUSED) in health["zalo_oa"]["problem"]
                assert "dvk oa-auth" in health["zalo_oa"]["action"]

                # A user writes meanwhile: no crash, no answer possible, nothing sent.
                lan = fake.user("8101", "Lan")
                await OADriver(app, fake, lan).text("xin chào")
                assert lan.inbox == []

                # The operator grants access again; the running bot picks the pair up.
                code = await _first_grant(settings, fake, clock)
                assert code == 0
                await app.zalo_oa.tokens.ensure_fresh()
                assert app.zalo_oa.health()["token"] == "ok"
                await OADriver(app, fake, lan).text("xin chào")
                assert "Bạn muốn làm gì?" in lan.last.text
        critical = [r for r in caplog.records if r.levelno == logging.CRITICAL]
        assert len(critical) == 1 and "oa-auth" in critical[0].getMessage()
        assert all(seed not in r.getMessage() for r in caplog.records)


async def test_token_missing_is_not_ok(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        configured = oa_settings(settings, fake)
        oauth = OAuthClient(fake.base_url, app_id=fake.app_id, app_secret=fake.app_secret)
        manager = TokenManager(repo.ZaloOATokenStore(db), oauth, clock)
        await manager.setup()
        assert manager.health()["token"] == "missing" and configured.zalo_oa.enabled
        try:
            await manager.access_token()
        except TokenUnavailable as error:
            assert "oa-auth" in str(error)
        else:
            raise AssertionError("no token should be available")


async def _first_grant(settings, fake: FakeZaloOA, clock) -> int:  # noqa: ANN001
    """`dvk oa-auth` as an operator runs it: open the printed link, paste where it led."""
    printed: list[str] = []
    redirect = "https://dvk.example.org/zalo-oa/oauth"

    def read(_prompt: str) -> str:
        link = printed[-1].split("\n")[-1]
        return asyncio.run(_follow(link))

    configured = oa_settings(settings, fake).updated(
        zalo_oa_app_secret=SecretStr(fake.app_secret))
    return await grant(configured, redirect_uri=redirect, read=read, write=printed.append,
                       clock=clock)


async def _follow(link: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(link, allow_redirects=False) as answer:
        assert answer.status == 302
        return answer.headers["Location"]


def test_oa_auth_takes_the_code_only_from_its_own_link() -> None:
    from bot.oa_auth_cli import code_from

    back = "https://dvk.example.org/zalo-oa/oauth?oa_id=1&code=abc123&state=s1"
    assert code_from(back, "s1") == "abc123"
    assert code_from(back, "another-state") is None  # not the link we printed
    assert code_from("  abc123 ", "s1") == "abc123"  # or the bare code
    assert code_from("https://dvk.example.org/zalo-oa/oauth?error=denied", "s1") is None
