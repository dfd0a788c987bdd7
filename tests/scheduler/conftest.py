"""Scheduler fixtures: the fake Bot API over HTTP, the real Telegram outbox sender (python-
telegram-bot without its rate limiter), and an outbox worker whose pacing reads the injected
clock and whose waits move it, so nothing sleeps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import SecretStr

from bot.telegram.channel import TelegramChannel
from handlers.clock import ManualClock
from scheduler.calendar import QuietHours
from scheduler.outbox import OutboxWorker
from scheduler.ratelimit import ChatRateLimiter, RateLimits
from scheduler.reminders import ReminderPolicy
from scheduler.service import SchedulerService
from settings import Settings
from tests.fakes.telegram_api import FakeTelegram

SEND_TIMEOUT = 0.5  # seconds the sender waits for the fake before calling it a timeout


@pytest.fixture
async def fake():
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeTelegram) -> Settings:
    return settings.updated(
        telegram_bot_token=SecretStr(fake.token),
        telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.file_base_url,
        outbox_send_timeout_seconds=SEND_TIMEOUT,
    )


@pytest.fixture
async def sender(tg_settings: Settings, engine, services):
    channel = TelegramChannel(tg_settings.telegram, engine, services.media)
    outbox_sender = channel.outbox_sender(timeout=SEND_TIMEOUT, connections=16)
    await outbox_sender.start()
    yield outbox_sender
    await outbox_sender.stop()


def clock_seconds(clock: ManualClock) -> Callable[[], float]:
    return lambda: clock.now().timestamp()


def clock_sleep(clock: ManualClock):  # noqa: ANN201
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    return sleep


@pytest.fixture
def make_worker(db, clock: ManualClock, sender, tg_settings: Settings):
    def make(*, limits: RateLimits | None = None, resend_unconfirmed: bool = False,
             quiet: QuietHours | None = None) -> OutboxWorker:
        limiter = ChatRateLimiter(limits or RateLimits(), now=clock_seconds(clock))
        return OutboxWorker(db, {"telegram": sender}, clock, limiters={"telegram": limiter},
                            quiet=quiet or ReminderPolicy.from_settings(tg_settings.scheduler,
                                                                         tg_settings.flows.tz).quiet,
                            sleep=clock_sleep(clock), resend_unconfirmed=resend_unconfirmed)

    return make


@pytest.fixture
def make_service(db, clock: ManualClock, services, sender, tg_settings: Settings, make_worker):
    def make(**overrides: object) -> SchedulerService:
        configured = tg_settings.updated(**overrides)
        return SchedulerService(db=db, clock=clock, settings=configured, services=services,
                                senders={"telegram": sender}, worker=make_worker())

    return make
