"""The outbox sender against the fake Bot API over HTTP: every message delivered exactly once
through 429s, 5xx, timeouts, blocked accounts, restarts and a crash mid-send."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from handlers.replies import DocumentReply, TextReply
from scheduler.ratelimit import RateLimits
from storage.models import ChannelAccount, OutboxStatus
from tests.scheduler.factories import outbox_rows, queue, row, texts
from tests.support.factories import add_person


async def settle(worker, clock, *, rounds: int = 12, step: float = 60.0) -> None:
    """Drain, then move the clock past every retry delay, until nothing is left to send."""
    for _ in range(rounds):
        await worker.drain()
        clock.advance(seconds=step)
    await worker.drain()


async def test_every_notice_is_delivered_exactly_once_through_429_5xx_timeouts_and_a_block(
    db, clock, fake, make_worker
) -> None:
    now = clock.now()
    people = {name: await add_person(db, now=now, name=name) for name in "ABCDE"}
    moved = await add_person(db, now=now, name="F", telegram=(8_100_001, 8_100_002))
    chat = {name: (await _chat(db, p.id))[0] for name, p in people.items()}
    fake.fail("sendMessage", 429, retry_after=3, chat_id=chat["A"])
    fake.fail("sendMessage", 500, chat_id=chat["B"])
    fake.fail("sendMessage", 502, times=2, chat_id=chat["C"])
    fake.fail("sendMessage", 0, chat_id=chat["D"])  # no answer: the sender times out
    fake.user(8_100_001).block()
    for name, person in [*people.items(), ("F", moved)]:
        await queue(db, person.id, f"notice:{name}", f"Thông báo cho {name}", now=now)

    worker = make_worker()
    await settle(worker, clock)

    for name in "ABCDE":
        assert texts(fake.messages(chat[name])) == [f"Thông báo cho {name}"], fake.dump(chat[name])
    assert fake.messages(8_100_001) == []
    assert texts(fake.messages(8_100_002)) == ["Thông báo cho F"]
    assert {r.status for r in await outbox_rows(db)} == {OutboxStatus.SENT}
    assert fake.n429 == 1
    assert [c.status for c in fake.calls_to("sendMessage") if c.chat_id == chat["D"]] == [0, 200]
    blocked_id = await _account_id(db, 8_100_001)
    async with db.session() as session:
        assert (await session.get(ChannelAccount, blocked_id)).active is False


async def test_a_blocked_person_without_another_account_is_marked_and_not_retried(
    db, clock, fake, make_worker
) -> None:
    person = await add_person(db, now=clock.now(), telegram=8_200_001)
    fake.user(8_200_001).block()
    await queue(db, person.id, "notice:blocked", "Xin chào", now=clock.now())

    await settle(make_worker(), clock, rounds=3)

    message = await row(db, "notice:blocked")
    assert message.status == OutboxStatus.FAILED
    assert "no active account" in message.last_error
    assert len([c for c in fake.calls_to("sendMessage") if c.chat_id == 8_200_001]) == 1


async def test_a_429_for_one_chat_does_not_hold_up_the_others(
    db, clock, fake, make_worker
) -> None:
    start = clock.now()
    slow = await add_person(db, now=start, telegram=8_300_001)
    others = [await add_person(db, now=start) for _ in range(5)]
    fake.fail("sendMessage", 429, retry_after=30, chat_id=8_300_001)
    await queue(db, slow.id, "notice:slow", "Chậm", now=start)
    for person in others:
        await queue(db, person.id, f"notice:{person.id}", "Nhanh", now=start)

    worker = make_worker()
    await worker.drain()

    assert clock.now() - start < timedelta(seconds=5)  # nobody waited for chat 8_300_001
    assert (await row(db, "notice:slow")).status == OutboxStatus.PENDING
    assert sum(1 for r in await outbox_rows(db) if r.status == OutboxStatus.SENT) == 5
    clock.advance(seconds=30)
    await worker.drain()
    assert texts(fake.messages(8_300_001)) == ["Chậm"]


async def test_messages_to_one_chat_are_paced_and_kept_in_order(
    db, clock, fake, make_worker
) -> None:
    start = clock.now()
    person = await add_person(db, now=start, telegram=8_400_001)
    for n in range(3):
        await queue(db, person.id, f"notice:{n}", f"Tin {n}", now=start)

    await make_worker(limits=RateLimits(per_chat_per_second=1.0)).drain()

    assert texts(fake.messages(8_400_001)) == ["Tin 0", "Tin 1", "Tin 2"]
    assert clock.now() - start >= timedelta(seconds=2)  # one per second, waited on the clock


async def test_a_restart_between_queueing_and_sending_gives_exactly_one_delivery(
    db, clock, fake, make_worker
) -> None:
    now = clock.now()
    person = await add_person(db, now=now, telegram=8_500_001)
    await queue(db, person.id, "reminder:later", "Nhắc việc", now=now,
                not_before=now + timedelta(hours=2))
    assert await make_worker().drain() == 0  # not yet due; then the process stops

    clock.advance(hours=2)
    restarted = make_worker()
    assert await restarted.drain() == 1
    assert await restarted.drain() == 0
    assert await make_worker().drain() == 0  # and another restart
    assert texts(fake.messages(8_500_001)) == ["Nhắc việc"]


async def test_a_crash_after_sending_but_before_recording_sends_no_duplicate(
    db, clock, fake, make_worker
) -> None:
    now = clock.now()
    person = await add_person(db, now=now, telegram=8_600_001)
    await queue(db, person.id, "notice:crash", "Chỉ một lần", now=now)
    crashing = asyncio.create_task(make_worker().drain())
    await fake.wait_for_call("sendMessage", lambda c: c.chat_id == 8_600_001 and c.ok)
    crashing.cancel()  # the process dies: Telegram has the message, the outbox no record of it
    await asyncio.gather(crashing, return_exceptions=True)
    assert (await row(db, "notice:crash")).status == OutboxStatus.SENDING

    restarted = make_worker()
    assert await restarted.recover() == 1
    await settle(restarted, clock, rounds=2)

    assert texts(fake.messages(8_600_001)) == ["Chỉ một lần"]
    message = await row(db, "notice:crash")
    assert message.status == OutboxStatus.UNCONFIRMED
    assert "not resent" in message.last_error


async def test_resending_interrupted_messages_is_a_setting_and_may_duplicate(
    db, clock, fake, make_worker
) -> None:
    now = clock.now()
    person = await add_person(db, now=now, telegram=8_700_001)
    await queue(db, person.id, "notice:again", "Có thể hai lần", now=now)
    crashing = asyncio.create_task(make_worker().drain())
    await fake.wait_for_call("sendMessage", lambda c: c.chat_id == 8_700_001 and c.ok)
    crashing.cancel()
    await asyncio.gather(crashing, return_exceptions=True)

    await make_worker(resend_unconfirmed=True).drain()

    assert texts(fake.messages(8_700_001)) == ["Có thể hai lần"] * 2
    assert (await row(db, "notice:again")).status == OutboxStatus.SENT


async def test_a_retry_resumes_after_the_replies_already_delivered(
    db, clock, fake, make_worker, services
) -> None:
    now = clock.now()
    person = await add_person(db, now=now, telegram=8_800_001)
    path = services.media.root / "reports" / "r.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    fake.fail("sendDocument", 500)
    await queue(db, person.id, "report:1", [TextReply("Báo cáo tháng"),
                                            DocumentReply("reports/r.xlsx", "r.xlsx", "Tệp")],
                now=now)

    await settle(make_worker(), clock, rounds=3)

    sent = fake.messages(8_800_001)
    assert [m.kind for m in sent] == ["text", "document"]
    assert (await row(db, "report:1")).parts_sent == 2


async def test_quiet_and_expired_messages_wait_or_are_skipped_when_their_turn_comes(
    db, clock, fake, make_worker
) -> None:
    evening = datetime(2027, 3, 1, 15, 30, tzinfo=UTC)  # 22:30 in Viet Nam
    clock.set(evening)
    person = await add_person(db, now=evening, telegram=8_900_001)
    await queue(db, person.id, "reminder:quiet", "Nhắc nhở", now=evening, quiet_hours=True)
    await queue(db, person.id, "answer:now", "Phản ánh của bạn đã được trả lời", now=evening)
    await queue(db, person.id, "reminder:stale", "Hết hạn", now=evening,
                expires_at=evening - timedelta(minutes=1), quiet_hours=True)
    worker = make_worker()

    await worker.drain()
    assert texts(fake.messages(8_900_001)) == ["Phản ánh của bạn đã được trả lời"]
    quiet = await row(db, "reminder:quiet")
    assert quiet.not_before == datetime(2027, 3, 2, 0, 0, tzinfo=UTC)  # 07:00 local
    assert (await row(db, "reminder:stale")).status == OutboxStatus.SKIPPED

    clock.set(datetime(2027, 3, 1, 23, 59, tzinfo=UTC))  # 06:59
    await worker.drain()
    assert len(fake.messages(8_900_001)) == 1
    clock.set(datetime(2027, 3, 2, 0, 0, tzinfo=UTC))  # 07:00
    await worker.drain()
    assert texts(fake.messages(8_900_001))[-1] == "Nhắc nhở"


async def _chat(db, person_id: int) -> list[int]:  # noqa: ANN001
    from sqlmodel import select

    async with db.session() as session:
        accounts = (await session.exec(
            select(ChannelAccount).where(ChannelAccount.person_id == person_id))).all()
    return [int(a.chat_id) for a in accounts]


async def _account_id(db, chat_id: int) -> int:  # noqa: ANN001
    from sqlmodel import select

    async with db.session() as session:
        return (await session.exec(
            select(ChannelAccount.id).where(ChannelAccount.chat_id == str(chat_id)))).one()


async def test_a_channel_without_pacing_still_gets_one_chat_s_messages_one_at_a_time(
    db, clock, fake, sender
) -> None:
    from scheduler.outbox import OutboxWorker

    now = clock.now()
    person = await add_person(db, now=now, telegram=8_950_001)
    for n in range(5):
        await queue(db, person.id, f"notice:unpaced:{n}", f"Tin {n}", now=now)

    await OutboxWorker(db, {"telegram": sender}, clock).drain()

    assert texts(fake.messages(8_950_001)) == [f"Tin {n}" for n in range(5)]
