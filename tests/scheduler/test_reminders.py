"""Reminders at the right local times, quiet hours, restarts and downtime, with the injected
clock: each test moves the clock, runs the scheduler's pass and drains the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from scheduler.service import TICK_JOB, WAKE_JOB
from storage.models import OutboxStatus, ReminderRun
from tests.scheduler.factories import (
    CUA_NAM,
    HA_NOI,
    HOAN_KIEM,
    add_deadline,
    add_draft,
    clear_calendar,
    outbox_rows,
    texts,
)
from tests.support.factories import add_person, add_practice

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = date(2027, 3, 15)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN).astimezone(UTC)


async def run(service, clock, at: datetime | None = None) -> None:  # noqa: ANN001
    if at is not None:
        clock.set(at)
    await service.tick()
    await service.outbox.drain()


async def officials(db, clock):  # noqa: ANN001, ANN201
    now = clock.now()
    ours = await add_person(db, now=now, name="Cán bộ Hoàn Kiếm", role="official",
                            level="commune", unit=HOAN_KIEM, telegram=9_100_001)
    other = await add_person(db, now=now, name="Cán bộ Cửa Nam", role="official",
                             level="commune", unit=CUA_NAM, telegram=9_100_002)
    province = await add_person(db, now=now, name="Cán bộ Hà Nội", role="official",
                                level="province", unit=HA_NOI, telegram=9_100_003)
    return ours, other, province


async def test_deadline_reminders_go_at_8_local_time_30_7_and_1_days_before(
    db, clock, fake, make_service
) -> None:
    await clear_calendar(db)
    await officials(db, clock)
    await add_deadline(db, due=DUE, scope=HOAN_KIEM, title="Chấm điểm mô hình phường 2027")
    service = make_service()

    await run(service, clock, local(2027, 2, 13, 7, 59))
    assert fake.messages(9_100_001) == []
    await run(service, clock, local(2027, 2, 13, 8, 0))
    await run(service, clock)  # a second pass at the same instant adds nothing
    [first] = texts(fake.messages(9_100_001))
    assert "Chấm điểm mô hình phường 2027" in first and "15/03/2027" in first
    assert "còn 30 ngày" in first

    await run(service, clock, local(2027, 3, 8, 7, 59))
    assert len(fake.messages(9_100_001)) == 1
    await run(service, clock, local(2027, 3, 8, 8, 0))
    await run(service, clock, local(2027, 3, 14, 8, 0))
    await run(service, clock, local(2027, 3, 16, 8, 0))
    assert [("còn 7 ngày" in t, "ngày mai" in t) for t in texts(fake.messages(9_100_001))] == [
        (False, False), (True, False), (False, True)]
    assert fake.messages(9_100_002) == [] and fake.messages(9_100_003) == []


async def test_quiet_hours_hold_reminders_until_7(db, clock, fake, make_service) -> None:
    await clear_calendar(db)
    await officials(db, clock)
    await add_deadline(db, due=DUE, scope=HOAN_KIEM)
    service = make_service(reminder_hour=22, reminder_offsets_days="1")

    await run(service, clock, local(2027, 3, 14, 22, 0))
    await run(service, clock, local(2027, 3, 15, 6, 59))
    assert fake.messages(9_100_001) == []
    await run(service, clock, local(2027, 3, 15, 7, 0))
    assert len(fake.messages(9_100_001)) == 1


async def test_a_restart_between_scheduling_and_firing_gives_one_delivery(
    db, clock, fake, make_service
) -> None:
    await clear_calendar(db)
    await officials(db, clock)
    await add_deadline(db, due=DUE, scope=HOAN_KIEM)
    await run(make_service(), clock, local(2027, 3, 8, 8, 0))  # the 7-day reminder
    clock.set(local(2027, 3, 14, 6, 0))  # the 1-day reminder is two hours away
    first = make_service()
    await first.start()
    assert {job.id for job in first.scheduler.get_jobs()} == {TICK_JOB, WAKE_JOB}
    wake = first.scheduler.get_job(WAKE_JOB).next_run_time
    assert timedelta(hours=1, minutes=59) < wake - datetime.now(UTC) <= timedelta(hours=2)
    await first.stop()  # the bot restarts before the reminder fires

    second = make_service()
    await second.start()
    assert {job.id for job in second.scheduler.get_jobs()} == {TICK_JOB, WAKE_JOB}
    await run(second, clock, local(2027, 3, 14, 8, 0))  # what the wake job does at 08:00
    await run(second, clock, local(2027, 3, 14, 8, 5))
    await second.stop()

    third = make_service()  # and once more after it fired
    await third.start()
    await third.outbox.drain()
    await third.stop()
    assert ["ngày mai" in t for t in texts(fake.messages(9_100_001))] == [False, True]


async def test_missed_reminders_are_sent_once_while_useful_and_skipped_after_the_deadline(
    db, clock, fake, make_service
) -> None:
    await clear_calendar(db)
    await officials(db, clock)
    deadline = await add_deadline(db, due=DUE, scope=HOAN_KIEM)
    service = make_service()
    await run(service, clock, local(2027, 2, 1, 9, 0))

    # down from 1 February to 11 March: the 30- and 7-day reminders were missed
    await run(service, clock, local(2027, 3, 11, 10, 0))
    await run(service, clock, local(2027, 3, 11, 10, 5))
    [late] = texts(fake.messages(9_100_001))
    assert "còn 4 ngày" in late

    # down again over the 1-day reminder, back after the deadline
    await run(service, clock, local(2027, 3, 16, 9, 0))
    assert len(fake.messages(9_100_001)) == 1
    runs = await _runs(db, deadline.id)
    assert runs == {"30d": ("skipped", "superseded by a later reminder"),
                    "7d": ("done", None),
                    "1d": ("skipped", "missed while down; past the deadline")}


async def test_drafts_are_recalled_after_24_hours_and_7_days_then_never(
    db, clock, fake, make_service, make_chat
) -> None:
    touched = local(2027, 3, 1, 10, 0)
    leader = await add_person(db, now=touched, name="Trưởng thôn", telegram=9_200_001)
    await add_draft(db, leader.id, touched=touched)
    service = make_service()

    await run(service, clock, touched + timedelta(hours=23, minutes=59))
    assert fake.messages(9_200_001) == []
    await run(service, clock, touched + timedelta(hours=24))
    await run(service, clock, touched + timedelta(hours=30))
    await run(service, clock, touched + timedelta(days=7))
    await run(service, clock, touched + timedelta(days=12))
    await run(service, clock, touched + timedelta(days=30))
    messages = fake.messages(9_200_001)
    assert len(messages) == 2
    assert "bản nháp" in messages[0].plain_text and "01/03/2027 10:00" in messages[0].plain_text
    assert messages[0].buttons == ["▶️ Tiếp tục"]

    # the button brings the leader back to the draft
    chat = make_chat(user_id=9_200_001, name="Trưởng thôn")
    [reply] = await chat.press_raw("m", "submit")
    assert "01/03/2027" in reply.text  # "continue the draft of ... or start over?"


async def test_a_draft_recalled_during_quiet_hours_waits_until_7(
    db, clock, fake, make_service
) -> None:
    touched = local(2027, 3, 1, 22, 30)
    leader = await add_person(db, now=touched, telegram=9_300_001)
    await add_draft(db, leader.id, touched=touched)
    service = make_service()

    await run(service, clock, touched + timedelta(hours=24))
    assert fake.messages(9_300_001) == []
    await run(service, clock, local(2027, 3, 3, 7, 0))
    assert len(fake.messages(9_300_001)) == 1


async def test_practices_awaiting_changes_are_recalled_once_per_step(
    db, clock, fake, make_service
) -> None:
    asked = local(2027, 4, 1, 9, 0)
    leader = await add_person(db, now=asked, telegram=9_400_001)
    practice = await add_practice(db, leader.id, created=asked - timedelta(days=5),
                                  status="changes_requested", updated=asked,
                                  title="Tổ liên gia tự quản")
    service = make_service()

    for hours in (12, 24, 48, 24 * 7, 24 * 9):
        await run(service, clock, asked + timedelta(hours=hours))
    messages = fake.messages(9_400_001)
    assert len(messages) == 2
    assert practice.code in messages[0].plain_text
    assert "Tổ liên gia tự quản" in messages[1].plain_text


async def test_a_leader_reminder_missed_while_down_is_sent_once_as_the_latest_step(
    db, clock, fake, make_service
) -> None:
    touched = local(2027, 5, 1, 9, 0)
    leader = await add_person(db, now=touched, telegram=9_500_001)
    await add_draft(db, leader.id, touched=touched)
    service = make_service()

    await run(service, clock, touched + timedelta(hours=23))
    await run(service, clock, touched + timedelta(days=8))  # down in between
    await run(service, clock, touched + timedelta(days=9))
    assert len(fake.messages(9_500_001)) == 1
    statuses = sorted((r.idempotency_key.rsplit(":", 1)[1], r.status)
                      for r in await outbox_rows(db))
    assert statuses == [("168h", OutboxStatus.SENT), ("24h", OutboxStatus.SKIPPED)]


async def _runs(db, deadline_id: int) -> dict[str, tuple[str, str | None]]:  # noqa: ANN001
    async with db.session() as session:
        rows = (await session.exec(
            select(ReminderRun).where(ReminderRun.deadline_id == deadline_id))).all()
    return {r.key.rsplit(":", 1)[1]: (r.status, r.note) for r in rows}
