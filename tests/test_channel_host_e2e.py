"""What the channel host does once for every channel (bot/channels/): one burst rule for photos,
each channel's real adapter against its fake platform over HTTP (the web chat against the real
web server), time moved on the injected clock, never slept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.channels.budget import RateBudget
from bot.web.metrics import Metrics
from handlers.replies import TextReply, to_payload
from scheduler.ratelimit import ChatRateLimiter, RateLimits
from storage.models import ChannelAccount, PracticePhoto, ProcessedUpdate
from storage.repositories import outbox
from tests.fakes.telegram_api import FakeTelegram, make_jpeg
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support import telegram_harness
from tests.support.channels import CHANNELS, walk_practice_until
from tests.support.chat_driver import ChatDriver, walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat, TelegramDriver
from tests.support.web_app import create_web_app
from tests.web.chat_client import WebChat, WebChatClient
from tests.zalo_bot import harness as zalo_harness
from tests.zalo_oa import harness as oa_harness

BURST_SECONDS = 2.0
AFTER_PHOTOS = [s.field for s in COMPLETE_PRACTICE].index("photos") + 1  # "Xong" after the photos


@dataclass
class Burst:
    """A chat on one channel, and how its person sends three photos at once there."""

    chat: ChatDriver
    send_three: Callable[[], Awaitable[None]]
    """Send three photos as the platform carries them, and wait until each was handled."""
    answers: Callable[[], list[str]]
    """The texts the person has received so far."""


@asynccontextmanager
async def burst_on(channel: str, settings, clock, db, services, engine  # noqa: ANN001
                   ) -> AsyncIterator[Burst]:
    settings = settings.updated(photo_burst_seconds=BURST_SECONDS)
    if channel == "telegram":  # three photos, each its own message (not an album)
        async with FakeTelegram() as fake, \
                telegram_harness.running_app(settings, fake, clock) as app:
            lan = fake.user(1001, first_name="Lan", language_code="vi")

            async def send_three() -> None:
                for update_id in [lan.send_photo(make_jpeg()) for _ in range(3)]:
                    await app.telegram.wait_processed(update_id)

            yield Burst(TelegramChat(TelegramDriver(app, fake, lan)), send_three,
                        lambda: [m.text for m in lan.inbox])
    elif channel == "zalo_bot":  # Zalo sends each photo as a message of its own
        async with FakeZaloBot() as fake, zalo_harness.running_app(
                settings, clock, fake, photo_burst_seconds=BURST_SECONDS) as app:
            lan = fake.user("8412345", "Lan")

            async def send_three() -> None:
                for message_id in [lan.send_image() for _ in range(3)]:
                    await app.zalo.wait_processed(message_id)

            yield Burst(zalo_harness.ZaloBotChat(zalo_harness.ZaloDriver(app, fake, lan)),
                        send_three, lambda: [m.text or "" for m in lan.inbox])
    elif channel == "zalo_oa":  # three image messages, one after the other
        async with FakeZaloOA(clock) as fake, oa_harness.running_app(
                settings, clock, fake, refresh_token=fake.issue_refresh_token()) as app:
            lan = fake.user("8431756230985132475", "Lan")

            async def send_three() -> None:
                for key in [await lan.send_image(make_jpeg()) for _ in range(3)]:
                    await app.zalo_oa.wait_processed(key)

            yield Burst(oa_harness.ZaloOAChat(oa_harness.OADriver(app, fake, lan)), send_three,
                        lambda: [m.text or "" for m in lan.inbox])
    else:  # the page uploads the photos picked at once in one request
        relaxed = settings.updated(web_chat_rate_per_minute=1000)
        web_app = create_web_app(settings=relaxed, db=db, services=services, engine=engine,
                                 metrics=Metrics())
        async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
            page = WebChatClient(client)

            async def send_three() -> None:
                await page.photos(3)

            yield Burst(WebChat(page), send_three,
                        lambda: [b.text for b in page.transcript if b.kind == "bot"])


@pytest.mark.parametrize("channel", CHANNELS)
async def test_photos_sent_at_once_get_one_answer_on_every_channel(
        channel, settings, clock, db, services, engine):  # noqa: ANN001
    async with burst_on(channel, settings, clock, db, services, engine) as burst:
        await walk_practice_until(burst.chat, "photos")
        before = len(burst.answers())
        await burst.send_three()
        if channel != "web":  # a channel that can write later waits for the burst to end
            assert burst.answers()[before:] == []
            await clock.pass_time(seconds=BURST_SECONDS - 0.5)
            assert burst.answers()[before:] == []  # not over yet
            await clock.pass_time(seconds=0.5)
        [answer] = burst.answers()[before:]
        assert "Đã có 3/" in answer, answer  # all three counted, in one answer
        await walk(burst.chat, COMPLETE_PRACTICE[AFTER_PHOTOS:])
        assert "3 ảnh" in burst.chat.last_text
        await burst.chat.press("Gửi")
        assert "Mã tiếp nhận: MH-2026-000001" in burst.chat.last_text

    async with db.session() as session:  # every photo of the burst kept with the practice
        photos = (await session.exec(select(PracticePhoto))).all()
    assert len(photos) == 3 and {p.channel for p in photos} == {channel}


PUSHING = [c for c in CHANNELS if c != "web"]
"""The channels that send replies to a platform (the web chat answers in the HTTP response, and
its page sends a lost request again: the engine then gives it the same answer)."""


@pytest.mark.parametrize("channel", PUSHING)
async def test_a_reply_that_fails_for_a_passing_reason_is_sent_again_on_every_channel(
        channel, settings, clock, db):  # noqa: ANN001
    async with _one_flaky_send(channel, settings, clock) as (act, inbox, app):
        before = len(inbox())
        await act()  # the first try of the answer meets a 5xx or a dropped connection
        shown = inbox()[before:]
        assert len(shown) == 1 and "/mohinh" in shown[0], shown  # the help, once
    async with db.session() as session:
        marks = (await session.exec(select(ProcessedUpdate).where(
            ProcessedUpdate.channel == channel))).all()
    assert len(marks) == len({m.update_id for m in marks}) >= 2  # each update handled once


@asynccontextmanager
async def _one_flaky_send(channel: str, settings, clock):  # noqa: ANN001, ANN202
    """A chat that has said hello; `act` asks for help while the platform's next send fails
    once for a passing reason."""
    if channel == "telegram":
        async with FakeTelegram() as fake, \
                telegram_harness.running_app(settings, fake, clock) as app:
            driver = TelegramDriver(app, fake, fake.user(1001, first_name="Lan"))
            await driver.command("start")

            async def act() -> None:
                fake.fail("sendMessage", 502)
                await driver.command("trogiup")

            yield act, lambda: [m.text for m in driver.user.inbox], app
    elif channel == "zalo_bot":
        async with FakeZaloBot() as fake, zalo_harness.running_app(settings, clock, fake) as app:
            driver = zalo_harness.ZaloDriver(app, fake, fake.user("8412345", "Lan"))
            await driver.text("xin chào")

            async def act() -> None:
                fake.fail("sendMessage", 500)
                await driver.command("trogiup")

            yield act, lambda: [m.text or "" for m in driver.user.inbox], app
    else:
        async with FakeZaloOA(clock) as fake, oa_harness.running_app(
                settings, clock, fake, refresh_token=fake.issue_refresh_token()) as app:
            driver = oa_harness.OADriver(app, fake, fake.user("8431756230985132475", "Lan"))
            await driver.follow()

            async def act() -> None:
                fake.fail("/v3.0/oa/message/cs", 503)
                await driver.command("trogiup")

            yield act, lambda: [m.text or "" for m in driver.user.inbox], app


async def test_replies_go_before_a_busy_outbox_on_the_platforms_one_budget():
    """Telegram counts every message against one cap: the outbox (paced by its own limiter,
    scheduler/ratelimit.py) and the replies draw on one budget, and a waiting reply goes
    first. Time moves only when the test moves it."""
    seconds = [0.0]
    sent: list[tuple[float, str]] = []

    async def time_stands_still(delay: float) -> None:
        await asyncio.sleep(0)  # others run; the clock moves when the test says

    budget = RateBudget(10, now=lambda: seconds[0], sleep=time_stands_still)
    pacing = ChatRateLimiter(RateLimits(global_per_second=8, per_chat_per_second=100),
                             now=lambda: seconds[0], budget=budget)

    def busy_outbox() -> int:
        """The outbox sends whatever it is let through (100 notices waiting)."""
        admitted = [chat for chat in range(100) if pacing.admit(f"n{len(sent)}-{chat}") == 0]
        sent.extend((seconds[0], "notice") for _ in admitted)
        return len(admitted)

    async def reply() -> None:
        await budget.for_reply()
        sent.append((seconds[0], "reply"))

    async def others_run() -> None:
        for _ in range(20):
            await asyncio.sleep(0)

    assert busy_outbox() == 7  # its own pace, under the cap: room is left for people
    replies = [asyncio.create_task(reply()) for _ in range(5)]  # five people write at once
    await others_run()
    assert [who for at, who in sent if who == "reply"] == ["reply"] * 3  # the room there was
    seconds[0] = 1.0  # a second later the outbox is as busy as ever
    assert busy_outbox() == 0  # two replies wait: they go first
    await others_run()
    assert [at for at, who in sent if who == "reply"] == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert busy_outbox() == 7  # then the outbox goes on
    await asyncio.gather(*replies)
    for start in (0.0, 1.0):  # never over the cap, both paths together
        assert sum(start <= at < start + 1 for at, _ in sent) <= 10
    assert (budget.replies, budget.notices) == (5, 14)


async def test_telegrams_replies_and_outbox_draw_on_one_budget(settings, clock, db):
    async with FakeTelegram() as fake, \
            telegram_harness.running_app(settings, fake, clock) as app:
        lan = TelegramDriver(app, fake, fake.user(1001, first_name="Lan"))
        await lan.command("start")
        budget = app.inbound.budgets["telegram"]
        replies = budget.replies
        assert replies >= 1 and budget.notices == 0
        async with db.session() as session:
            person = (await session.exec(select(ChannelAccount).where(
                ChannelAccount.external_id == "1001"))).one().person_id
            await outbox.enqueue(session, key="n1", person_id=person,
                                 payload=to_payload([TextReply("🔔 Thông báo thử")]),
                                 now=clock.now())
            await session.commit()
        [notice] = await lan.notices()
        assert notice.text == "🔔 Thông báo thử"
        assert (budget.replies, budget.notices) == (replies, 1)
