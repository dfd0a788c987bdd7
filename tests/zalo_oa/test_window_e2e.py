"""The OA's 7-day window: a reminder Zalo refuses because the official has not written for a
week (or for the OA's quota) is never lost. It goes to their linked Telegram or Zalo Bot
account, or, with none, waits in the outbox until they next write; and an official whose
window is about to close is told so in the reminder itself."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.app import App
from storage.models import DeliveryFallback, OutboxMessage, OutboxStatus, Person
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import (
    INTERACTION_EXPIRED,
    OUT_OF_QUOTA,
    OUTSIDE_WINDOW,
    FakeZaloOA,
)
from tests.scheduler.factories import add_deadline, clear_calendar
from tests.support.factories import make_invite
from tests.support.officials import HOAN_KIEM
from tests.support.telegram_harness import TelegramDriver
from tests.zalo_bot.harness import ZaloDriver, zalo_settings
from tests.zalo_oa.harness import OADriver, oa_settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LINK_CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
TITLE = "Chấm điểm mô hình phường 2026"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN).astimezone(UTC)


@asynccontextmanager
async def product(settings, clock, oa: FakeZaloOA, *, telegram: FakeTelegram | None = None,
                  zalo: FakeZaloBot | None = None) -> AsyncIterator[App]:  # noqa: ANN001
    """The product with the OA, and Telegram or the Zalo Bot beside it; reminders one day
    before a deadline, at 08:00."""
    base = zalo_settings(settings, zalo) if zalo is not None else settings
    configured = oa_settings(base, oa, refresh_token=oa.issue_refresh_token(),
                             telegram=telegram, reminder_offsets_days="1")
    app = App(configured, clock=clock)
    await app.start()
    oa.webhook_url = f"{app.web.url.rstrip('/')}{configured.zalo_oa.webhook_path}"
    try:
        yield app
    finally:
        await app.stop()


async def become_official(driver: OADriver, db, clock) -> None:  # noqa: ANN001
    await driver.command("moi", await make_invite(db, clock, unit=HOAN_KIEM))
    assert "Chào mừng" in driver.last_text


async def remind(app: App, db, due: date, at: datetime, clock) -> None:  # noqa: ANN001
    """A deadline of the official's ward, and the scheduler's pass when its reminder fires."""
    await clear_calendar(db)
    await add_deadline(db, due=due, scope=HOAN_KIEM, title=TITLE)
    clock.set(at)
    await app.scheduler.tick()
    await app.outbox.drain()


async def reminder_row(db) -> OutboxMessage:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(OutboxMessage).where(
            OutboxMessage.idempotency_key.startswith("deadline:")))).one()


@pytest.mark.parametrize("refusal", [OUTSIDE_WINDOW, INTERACTION_EXPIRED, OUT_OF_QUOTA])
async def test_refused_reminder_goes_to_the_linked_telegram_account(settings, clock, db,
                                                                    refusal):
    async with FakeZaloOA(clock) as oa, FakeTelegram() as telegram:
        minh_oa, minh_tg = oa.user("9001", "Minh"), telegram.user(9_001, first_name="Minh")
        async with product(settings, clock, oa, telegram=telegram) as app:
            on_oa, on_tg = OADriver(app, oa, minh_oa), TelegramDriver(app, telegram, minh_tg)
            await become_official(on_oa, db, clock)
            await on_oa.command("lienket")
            code = LINK_CODE.search(on_oa.last_text).group(0)
            await on_tg.command("lienket", code)
            assert "Đã liên kết" in minh_tg.last.text
            await on_oa.command("thongbao", "Zalo OA")  # reminders here, by choice
            oa.window_code = refusal if refusal != OUT_OF_QUOTA else OUTSIDE_WINDOW
            if refusal == OUT_OF_QUOTA:
                oa.quota = 0  # the window is open; the OA's quota is not
                due, at = date(2026, 12, 2), local(2026, 12, 1, 8, 0)
            else:
                due, at = date(2026, 12, 9), local(2026, 12, 8, 8, 0)  # 7 d 23 h after

            await remind(app, db, due, at, clock)
            assert oa.rejected == [("9001", refusal)]
            assert TITLE in minh_tg.last.text
            row = await reminder_row(db)
            assert (row.status, row.channel) == (OutboxStatus.SENT, "telegram")
            async with db.session() as session:
                [fallback] = (await session.exec(select(DeliveryFallback))).all()
                person = await session.get(Person, row.person_id)
            assert fallback.message_id == row.id and fallback.channel == "zalo_oa"
            assert str(refusal) in fallback.error and person.notify_channel == "zalo_oa"
        assert oa.errors == []


async def test_refused_reminder_goes_to_the_linked_zalo_bot_account(settings, clock, db):
    async with FakeZaloOA(clock) as oa, FakeZaloBot() as zalo:
        minh_oa, minh_zb = oa.user("9002", "Minh"), zalo.user("39002", "Minh")
        async with product(settings, clock, oa, zalo=zalo) as app:
            on_oa, on_zb = OADriver(app, oa, minh_oa), ZaloDriver(app, zalo, minh_zb)
            await become_official(on_oa, db, clock)
            await on_oa.command("lienket")
            await on_zb.command("lienket", LINK_CODE.search(on_oa.last_text).group(0))
            await on_oa.command("thongbao", "Zalo OA")

            await remind(app, db, date(2026, 12, 9), local(2026, 12, 8, 8, 0), clock)
            assert oa.rejected == [("9002", OUTSIDE_WINDOW)]
            assert TITLE in minh_zb.last.text
            row = await reminder_row(db)
            assert (row.status, row.channel) == (OutboxStatus.SENT, "zalo_bot")


async def test_without_another_account_the_reminder_waits_until_they_write(settings, clock,
                                                                           db):
    async with FakeZaloOA(clock) as oa:
        minh = oa.user("9003", "Minh")
        async with product(settings, clock, oa) as app:
            driver = OADriver(app, oa, minh)
            await become_official(driver, db, clock)
            await remind(app, db, date(2026, 12, 9), local(2026, 12, 8, 8, 0), clock)
            assert oa.rejected == [("9003", OUTSIDE_WINDOW)]
            row = await reminder_row(db)
            assert row.status == OutboxStatus.AWAITING_CONTACT and "-230" in row.last_error
            clock.advance(hours=1)
            await app.outbox.drain()  # nothing changes until Minh writes
            assert (await reminder_row(db)).status == OutboxStatus.AWAITING_CONTACT
            assert len(oa.rejected) == 1

            await driver.text("chào bot")  # Minh is back: the window is open again
            await app.outbox.drain()
            row = await reminder_row(db)
            assert (row.status, row.channel) == (OutboxStatus.SENT, "zalo_oa")
            assert TITLE in minh.last.text
        assert oa.errors == []


async def test_a_reminder_warns_an_official_whose_window_is_closing(settings, clock, db):
    async with FakeZaloOA(clock) as oa:
        minh = oa.user("9004", "Minh")
        async with product(settings, clock, oa) as app:
            await become_official(OADriver(app, oa, minh), db, clock)  # 30/11 09:00
            before = len(minh.inbox)
            await remind(app, db, date(2026, 12, 7), local(2026, 12, 6, 8, 0), clock)
            reminder, warning = minh.inbox[before:]
            assert TITLE in reminder.text
            assert "mỗi tuần một lần" in warning.text and "09:00 07/12/2026" in warning.text

            # The same day, another notice: the warning is not repeated.
            await add_deadline(db, due=date(2026, 12, 7), scope=HOAN_KIEM, title="Báo cáo")
            await app.scheduler.tick()
            await app.outbox.drain()
            assert len(minh.inbox) == before + 3 and "Báo cáo" in minh.last.text
        assert oa.errors == []
