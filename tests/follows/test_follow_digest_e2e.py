"""Following a commune and getting its weekly digest, end to end on Telegram and Zalo Bot (each
its real adapter against its fake platform over HTTP, the whole `App`, real SQLite or
PostgreSQL): /theodoi by name, the weekly pass at DIGEST_WEEKDAY / DIGEST_HOUR on the injected
clock, the outbox delivering it once, /boqua."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.app import App
from storage.models import (
    Follow,
    OutboxMessage,
    OutboxStatus,
    Practice,
    PracticeEvent,
    PracticeStatus,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support import telegram_harness
from tests.support.factories import store_practice
from tests.support.officials import HOAN_KIEM, THANH_XUAN
from tests.zalo_bot import harness as zalo_harness

CHANNELS = ["telegram", "zalo_bot"]
THURSDAY = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
SUNDAY_9 = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội: the default digest time


@dataclass
class Chat:
    """One citizen's chat: what they type, and everything the bot has shown them."""

    driver: telegram_harness.TelegramDriver | zalo_harness.ZaloDriver

    async def command(self, name: str, args: str = "") -> None:
        if isinstance(self.driver, telegram_harness.TelegramDriver):
            await self.driver.command(name, args or None)
        else:
            await self.driver.command(name, args)

    async def press(self, label: str) -> None:
        """A button on Telegram; on Zalo Bot, which has none, the option's number typed."""
        if isinstance(self.driver, telegram_harness.TelegramDriver):
            await self.driver.press(label)
        else:
            await self.driver.pick(label)

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.driver.user.inbox]


@asynccontextmanager
async def citizen(channel: str, settings, clock) -> AsyncIterator[tuple[App, Chat]]:  # noqa: ANN001
    settings = settings.updated(public_base_url="https://dvk.example.vn")
    if channel == "telegram":
        async with FakeTelegram() as fake:
            hoa = fake.user(2001, first_name="Hoa", language_code="vi")
            async with telegram_harness.running_app(settings, fake, clock) as app:
                yield app, Chat(telegram_harness.TelegramDriver(app, fake, hoa))
            assert fake.errors == []
    else:
        async with FakeZaloBot() as fake:
            hoa = fake.user("2001", "Hoa")
            async with zalo_harness.running_app(settings, clock, fake) as app:
                yield app, Chat(zalo_harness.ZaloDriver(app, fake, hoa))
            assert fake.errors == [], fake.errors


async def approve(db, clock, practice_id: int) -> str:  # noqa: ANN001
    """Approve a stored practice as the review does: its status and its history event."""
    async with db.session() as session:
        practice = await session.get(Practice, practice_id)
        practice.status = PracticeStatus.APPROVED
        session.add(practice)
        session.add(PracticeEvent(practice_id=practice_id, kind="approved",
                                  actor_id=practice.submitter_id,
                                  from_status="submitted", to_status="approved",
                                  created_at=clock.now()))
        await session.commit()
        return practice.code


async def digests(db) -> list[OutboxMessage]:  # noqa: ANN001
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    return [r for r in rows if r.idempotency_key.startswith("digest:")]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_following_a_commune_brings_its_weekly_digest_once(
        channel, settings, clock, db) -> None:  # noqa: ANN001
    clock.set(THURSDAY)
    async with citizen(channel, settings, clock) as (app, hoa):
        await hoa.command("start")
        await hoa.command("theodoi", "thanh xuan")
        assert "Chọn nơi bạn muốn theo dõi" in hoa.texts[-1]
        await hoa.press("Phường Thanh Xuân, Thành phố Hà Nội")
        assert "Đã theo dõi Phường Thanh Xuân, Thành phố Hà Nội" in hoa.texts[-1]
        await hoa.command("theodoi", "thanh xuan")
        await hoa.press("Phường Thanh Xuân, Thành phố Hà Nội")
        assert "đang theo dõi Phường Thanh Xuân, Thành phố Hà Nội rồi" in hoa.texts[-1]

        ours = await store_practice(db, clock, commune=THANH_XUAN, submitter_id=901,
                                    title="Chợ dân sinh không rác thải nhựa")
        code = await approve(db, clock, ours)
        elsewhere = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=902,
                                         title="Phố đi bộ tự quản")
        await approve(db, clock, elsewhere)
        waiting = await store_practice(db, clock, commune=THANH_XUAN, submitter_id=903,
                                       title="Mô hình chưa được duyệt")
        assert waiting

        seen = len(hoa.texts)
        assert await app.scheduler.tick() == 0  # Thursday: not the digest's day
        clock.set(SUNDAY_9)
        assert await app.scheduler.tick() == 1
        await app.outbox.drain()
        [digest] = [t for t in hoa.texts[seen:] if "Bản tin tuần" in t]
        assert "1 mô hình" in digest and "Chợ dân sinh không rác thải nhựa" in digest
        assert f"https://dvk.example.vn/practices/{code}" in digest
        assert "Phường Thanh Xuân" in digest
        assert "Phố đi bộ tự quản" not in digest and "chưa được duyệt" not in digest

        # Another pass (a restart, a second worker): nothing twice.
        assert await app.scheduler.tick() == 0
        await app.outbox.drain()
        assert sum("Bản tin tuần" in t for t in hoa.texts) == 1
        [row] = await digests(db)
        assert row.status == OutboxStatus.SENT and row.quiet_hours

        await hoa.command("dangtheodoi")
        assert "Bạn đang theo dõi 1 nơi" in hoa.texts[-1]
        await hoa.command("boqua", "thanh xuan")
        assert "Đã bỏ theo dõi Phường Thanh Xuân, Thành phố Hà Nội" in hoa.texts[-1]
    async with db.session() as session:
        assert (await session.exec(select(Follow))).all() == []


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_name_that_matches_nothing_is_answered_and_nothing_is_followed(
        channel, settings, clock, db) -> None:  # noqa: ANN001
    async with citizen(channel, settings, clock) as (app, hoa):
        await hoa.command("start")
        await hoa.command("theodoi", "khong co xa nao ten nay")
        assert "Không tìm thấy nơi nào tên «khong co xa nao ten nay»" in hoa.texts[-1]
        assert "/theodoi" in hoa.texts[-1]
        await hoa.command("theodoi")
        assert "Gõ /theodoi và tên xã" in hoa.texts[-1]
        await hoa.command("theodoi", "ha noi")  # a province, found as the flows find units
        assert "Chọn nơi" in hoa.texts[-1] or "Đã theo dõi" in hoa.texts[-1]
    async with db.session() as session:
        follows = (await session.exec(select(Follow))).all()
    assert all(f.unit_code for f in follows)


async def test_officials_see_their_followers_counted_per_unit(settings, clock, db) -> None:
    """/thongke counts the people following the jurisdiction: a commune official their commune's,
    a province official every unit of the province (each person once)."""
    from tests.support.officials import BEN_THANH, HANOI, tg_become_official

    async with FakeTelegram() as fake, telegram_harness.running_app(settings, fake, clock) as app:
        def chat(user_id: int, name: str) -> telegram_harness.TelegramDriver:
            return telegram_harness.TelegramDriver(app, fake, fake.user(
                user_id, first_name=name, language_code="vi"))

        an, binh, chi = chat(2001, "An"), chat(2002, "Bình"), chat(2003, "Chi")
        await an.command("theodoi", "hoan kiem")
        await binh.command("theodoi", "hoan kiem")
        await binh.command("theodoi", "1")  # by code: Thành phố Hà Nội
        assert "Đã theo dõi Thành phố Hà Nội" in binh.last.text, binh.last.text
        await chi.command("theodoi", BEN_THANH)
        commune, province = chat(3001, "Minh"), chat(3002, "Nga")
        await tg_become_official(commune, db, clock, unit=HOAN_KIEM)
        await tg_become_official(province, db, clock, unit=HANOI, level="province")
        await commune.command("thongke")
        assert "Người theo dõi: 2" in commune.last.text
        assert "Theo đơn vị: Phường Hoàn Kiếm 2" in commune.last.text
        await province.command("thongke")
        assert "Người theo dõi: 2" in province.last.text
        assert "Phường Hoàn Kiếm 2 · Thành phố Hà Nội 1" in province.last.text
        assert "Bến Thành" not in province.last.text
