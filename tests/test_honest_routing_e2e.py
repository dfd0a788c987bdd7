"""Honest routing end to end, on Telegram, Zalo Bot and the web chat (each its real adapter
against its fake platform over HTTP, the whole `App`, real SQLite or PostgreSQL):

- a feedback from a commune with no official reaches its province's official: the notice, the
  inbox, and the receipt's usual promise;
- with no official anywhere, the receipt says so, the operator sees the unit on /healthz and
  in the metric `dvk_unassigned_items`, and the first official invited there is handed it: the
  notice, the inbox, and word to the sender.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.app import App
from storage.models import Feedback, OutboxMessage, Person
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support import telegram_harness
from tests.support.factories import make_invite
from tests.support.officials import HANOI, HOAN_KIEM, feedback_walk, tg_send_feedback
from tests.web.chat_client import WebChatClient
from tests.web.test_chat_notices import browser, web_send_feedback
from tests.zalo_bot import harness as zalo_harness

CHANNELS = ["telegram", "zalo_bot", "web"]
METRICS_TOKEN = "m3trics-t0ken-routing"
DESCRIPTION = "Đèn đường ngõ 12"


@dataclass
class TelegramParty:
    driver: telegram_harness.TelegramDriver
    seen: int = 0

    def _mark(self) -> None:
        self.seen = len(self.driver.user.inbox)

    async def send_feedback(self) -> str:
        await tg_send_feedback(self.driver, feedback_walk(photos=0))
        self._mark()
        return self.driver.last.text

    async def accept(self, token: str) -> str:
        await self.driver.command("start", token)
        self._mark()
        return "\n".join(m.text or "" for m in self.driver.user.inbox[-3:])

    async def inbox(self) -> str:
        shown = await self.driver.command("hopthu")
        self._mark()
        return "\n".join([m.text or "" for m in shown] + [b for m in shown for b in m.buttons])

    async def notices(self) -> list[str]:
        new = self.driver.user.inbox[self.seen:]
        self._mark()
        return [m.text or "" for m in new]


@dataclass
class ZaloParty:
    driver: zalo_harness.ZaloDriver
    seen: int = 0

    def _mark(self) -> None:
        self.seen = len(self.driver.user.inbox)

    async def send_feedback(self) -> str:
        await zalo_harness.zalo_send_feedback(self.driver, photos=0)
        self._mark()
        return self.driver.last.text or ""

    async def accept(self, token: str) -> str:
        shown = await self.driver.command("moi", token)  # no deep links: the code is typed
        self._mark()
        return "\n".join(m.text or "" for m in shown)

    async def inbox(self) -> str:
        shown = await self.driver.command("hopthu")
        self._mark()
        return "\n".join(m.text or "" for m in shown)

    async def notices(self) -> list[str]:
        new = self.driver.user.inbox[self.seen:]
        self._mark()
        return [m.text or "" for m in new]


@dataclass
class WebParty:
    client: WebChatClient
    shown: list[str] = field(default_factory=list)

    async def send_feedback(self) -> str:
        await web_send_feedback(self.client, feedback_walk(photos=0))
        return self.client.last.text

    async def accept(self, token: str) -> str:
        bubbles = await self.client.text("/start " + token)
        return "\n".join(b.text for b in bubbles)

    async def inbox(self) -> str:
        bubbles = await self.client.text("/hopthu")
        return "\n".join([b.text for b in bubbles] + [x.label for b in bubbles for x in b.buttons])

    async def notices(self) -> list[str]:
        return [b.text for b in await self.client.notices()]


Party = TelegramParty | ZaloParty | WebParty


@asynccontextmanager
async def citizen_and_official(channel: str, settings, clock  # noqa: ANN001
                               ) -> AsyncIterator[tuple[App, Party, Party]]:
    """Hoa, a citizen, and Minh, who will be an official, on one channel of a running App."""
    settings = settings.updated(
        metrics_token=SecretStr(METRICS_TOKEN),
        telegram_per_chat_rate=1000, telegram_global_rate=1000)
    if channel == "telegram":
        async with FakeTelegram() as fake:
            hoa = fake.user(2001, first_name="Hoa", language_code="vi")
            minh = fake.user(3001, first_name="Minh", language_code="vi")
            async with telegram_harness.running_app(settings, fake, clock) as app:
                yield (app, TelegramParty(telegram_harness.TelegramDriver(app, fake, hoa)),
                       TelegramParty(telegram_harness.TelegramDriver(app, fake, minh)))
            assert fake.errors == []
    elif channel == "zalo_bot":
        async with FakeZaloBot() as fake:
            hoa, minh = fake.user("2001", "Hoa"), fake.user("3001", "Minh")
            async with zalo_harness.running_app(settings, clock, fake) as app:
                yield (app, ZaloParty(zalo_harness.ZaloDriver(app, fake, hoa)),
                       ZaloParty(zalo_harness.ZaloDriver(app, fake, minh)))
            assert fake.errors == [], fake.errors
    else:
        app = App(settings, clock=clock)
        await app.start()
        try:
            async with browser(app.web.url) as hoa, browser(app.web.url) as minh:
                yield app, WebParty(WebChatClient(hoa)), WebParty(WebChatClient(minh))
        finally:
            await app.stop()


async def operator_view(app: App) -> tuple[dict, str]:
    """/healthz as a load balancer reads it (must stay 200), and the metric as Prometheus
    scrapes it (with the token)."""
    async with aiohttp.ClientSession(base_url=app.web.url) as session:
        async with session.get("/healthz") as response:
            assert response.status == 200
            health = await response.json()
        async with session.get("/metrics") as response:
            assert response.status == 401  # METRICS_TOKEN protects it
        async with session.get("/metrics", headers={
                "Authorization": f"Bearer {METRICS_TOKEN}"}) as response:
            assert response.status == 200
            metrics = await response.text()
    return health, metrics


def gauge(metrics: str, kind: str) -> int:
    found = re.search(rf'^dvk_unassigned_items{{kind="{kind}"}} (\d+)$', metrics, re.MULTILINE)
    assert found, metrics
    return int(found.group(1))


async def the_official(db) -> int:  # noqa: ANN001
    async with db.session() as session:
        [official] = (await session.exec(select(Person).where(Person.role == "official"))).all()
    return official.id


async def outbox_by_key(db) -> dict[str, OutboxMessage]:  # noqa: ANN001
    async with db.session() as session:
        return {m.idempotency_key: m for m in (await session.exec(select(OutboxMessage))).all()}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_feedback_in_a_commune_without_official_reaches_the_province_official(
        channel, settings, clock, db) -> None:  # noqa: ANN001
    async with citizen_and_official(channel, settings, clock) as (app, hoa, minh):
        welcome = await minh.accept(await make_invite(db, clock, unit=HANOI, level="province"))
        assert "Chào mừng" in welcome and "cấp tỉnh — Thành phố Hà Nội" in welcome
        assert "chờ cán bộ" not in welcome  # nothing was waiting

        receipt = await hoa.send_feedback()  # from Phường Hoàn Kiếm, which has no official
        assert "Mã tiếp nhận: PA-2026-000001" in receipt
        assert "Hiện chưa có cán bộ" not in receipt

        await app.outbox.drain()
        [notice] = [n for n in await minh.notices() if "PA-2026-000001" in n]
        assert "Phản ánh mới PA-2026-000001" in notice and "Phường Hoàn Kiếm" in notice
        assert DESCRIPTION in notice
        assert "PA-2026-000001" in await minh.inbox()
        health, metrics = await operator_view(app)

    assert "unassigned" not in health and health["status"] == "ok"
    assert gauge(metrics, "feedback") == 0 and gauge(metrics, "practice") == 0
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
    assert (feedback.assigned_unit_code, feedback.assigned_province_code) == (HOAN_KIEM, HANOI)
    official_id = await the_official(db)
    delivered = (await outbox_by_key(db))[f"fb:{feedback.id}:new:0:to:{official_id}"]
    assert delivered.status == "sent"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_feedback_with_no_official_anywhere_waits_and_reaches_the_first_one_invited(
        channel, settings, clock, db) -> None:  # noqa: ANN001
    async with citizen_and_official(channel, settings, clock) as (app, hoa, minh):
        receipt = await hoa.send_feedback()
        assert "Mã tiếp nhận: PA-2026-000001" in receipt
        assert "Hiện chưa có cán bộ dân vận nào nhận phản ánh ở nơi này" in receipt

        health, metrics = await operator_view(app)
        assert health["status"] == "ok" and health["warnings"] == ["unassigned_items"]
        assert health["unassigned"] == {
            "feedback": 1, "practice": 0, "units_total": 1,
            "units": [{"code": HOAN_KIEM, "name": "Phường Hoàn Kiếm", "province_code": HANOI,
                       "province": "Thành phố Hà Nội", "feedback": 1, "practice": 0}]}
        assert gauge(metrics, "feedback") == 1 and gauge(metrics, "practice") == 0

        # The operator invites an official for the province; the feedback is handed over.
        welcome = await minh.accept(await make_invite(db, clock, unit=HANOI, level="province"))
        assert "Chào mừng" in welcome
        assert "Đang có 1 phản ánh và 0 mô hình chờ cán bộ ở đây, nay chuyển cho bạn" in welcome
        await app.outbox.drain()
        [notice] = [n for n in await minh.notices() if "PA-2026-000001" in n]
        assert "Phản ánh mới PA-2026-000001" in notice and DESCRIPTION in notice
        assert "PA-2026-000001" in await minh.inbox()
        [told] = [n for n in await hoa.notices() if "PA-2026-000001" in n]
        assert ("Phản ánh PA-2026-000001 của bạn đã được chuyển tới cán bộ dân vận phụ trách "
                "(Thành phố Hà Nội)") in told
        assert "Minh" not in told  # the unit, never the official's name

        health, metrics = await operator_view(app)
    assert "unassigned" not in health and "warnings" not in health
    assert gauge(metrics, "feedback") == 0

    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
    official_id = await the_official(db)
    outbox = await outbox_by_key(db)
    assert outbox[f"fb:{feedback.id}:new:0:to:{official_id}"].status == "sent"
    assert outbox[f"fb:{feedback.id}:assigned:to:{feedback.reporter_id}"].status == "sent"
    assert feedback.status == "new" and feedback.assigned_unit_code == HOAN_KIEM
