"""Practices waiting too long for review get what feedback gets: the officials who review one are
reminded after REVIEW_REMIND_DAYS, the next level up is told after REVIEW_ESCALATE_DAYS, each
once, over the real Telegram outbox sender against the fake Bot API, with the injected clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from storage.models import OutboxMessage, Practice, ReminderRun
from tests.scheduler.factories import HA_NOI, HOAN_KIEM, clear_calendar
from tests.scheduler.test_reminders import local, run
from tests.support.factories import add_person, add_practice

COMMUNE, PROVINCE, CENTRE, LEADER = 9_800_001, 9_800_002, 9_800_003, 9_800_004


async def _officials(db, clock, *, commune: bool = True, province: bool = True,  # noqa: ANN001
                     centre: bool = False):  # noqa: ANN202
    await clear_calendar(db)  # only practices here, no calendar reminders
    sent = local(2027, 5, 10, 9, 30)
    clock.set(sent)
    if commune:
        await add_person(db, now=sent, role="official", level="commune", unit=HOAN_KIEM,
                         telegram=COMMUNE)
    if province:
        await add_person(db, now=sent, role="official", level="province", unit=HA_NOI,
                         telegram=PROVINCE)
    if centre:
        await add_person(db, now=sent, role="official", level="central", telegram=CENTRE)
    leader = await add_person(db, now=sent, telegram=LEADER)
    return sent, leader


async def _runs(db, practice_id: int) -> list[ReminderRun]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(
            select(ReminderRun).where(ReminderRun.key.startswith(f"prreview:{practice_id}:"))
            .order_by(ReminderRun.id))).all())


async def _ids(db, telegram_id: int) -> int:  # noqa: ANN001
    from storage.models import ChannelAccount

    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount).where(
            ChannelAccount.external_id == str(telegram_id)))).one()
        return account.person_id


async def test_a_practice_awaiting_review_reminds_its_officials_then_escalates_to_the_province(
    db, clock, fake, make_service, make_chat
) -> None:
    sent, leader = await _officials(db, clock)
    practice = await add_practice(db, leader.id, created=sent, title="Tiếng kẻng an ninh thôn")
    service = make_service()

    await run(service, clock, sent + timedelta(days=7) - timedelta(minutes=1))
    assert fake.messages(COMMUNE) == [] and await _runs(db, practice.id) == []
    await run(service, clock, sent + timedelta(days=7))
    await run(service, clock, sent + timedelta(days=8))  # a later pass sends nothing again
    [reminder] = fake.messages(COMMUNE)
    assert practice.code in reminder.plain_text
    assert "«Tiếng kẻng an ninh thôn»" in reminder.plain_text
    assert "đã chờ xem xét 7 ngày" in reminder.plain_text
    assert "Phường Hoàn Kiếm" in reminder.plain_text
    assert fake.messages(PROVINCE) == [] and fake.messages(LEADER) == []

    await run(service, clock, sent + timedelta(days=30) - timedelta(minutes=1))
    assert fake.messages(PROVINCE) == []
    await run(service, clock, sent + timedelta(days=30))
    await run(service, clock, sent + timedelta(days=31))
    [escalated] = fake.messages(PROVINCE)
    assert practice.code in escalated.plain_text
    assert "quá 30 ngày, được chuyển lên cấp tỉnh" in escalated.plain_text
    assert len(fake.messages(COMMUNE)) == 1 and fake.messages(LEADER) == []

    stamp = int(sent.timestamp())
    runs = await _runs(db, practice.id)
    assert [(r.key, r.recipients, r.status) for r in runs] == [
        (f"prreview:{practice.id}:remind:{stamp}", 1, "done"),
        (f"prreview:{practice.id}:escalate:{stamp}", 1, "done")]

    # the province official opens it from the message and may decide on it
    official = make_chat(user_id=PROVINCE, name="Cán bộ tỉnh")
    card = "\n".join(r.text for r in await official.press_raw("a", f"pr_open:{practice.id}")
                     if hasattr(r, "text"))
    assert "Tiếng kẻng an ninh thôn" in card


async def test_reminders_and_escalation_go_once_to_each_official_through_outbox_keys(
    db, clock, fake, make_service
) -> None:
    """The outbox holds one row per official and step, keyed by the instant the practice
    started waiting."""
    sent, leader = await _officials(db, clock)
    practice = await add_practice(db, leader.id, created=sent)
    commune_id, province_id = await _ids(db, COMMUNE), await _ids(db, PROVINCE)
    service = make_service()
    for day in (7, 7, 12, 30, 30, 45):
        await run(service, clock, sent + timedelta(days=day))
    stamp = int(sent.timestamp())
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.idempotency_key.startswith(f"prreview:{practice.id}:")))).all()
    by_key = {row.idempotency_key: row for row in rows}
    assert sorted(by_key) == [f"prreview:{practice.id}:escalate:{stamp}:p{province_id}",
                              f"prreview:{practice.id}:remind:{stamp}:p{commune_id}"]
    assert {row.status for row in rows} == {"sent"}
    assert len(fake.messages(COMMUNE)) == len(fake.messages(PROVINCE)) == 1


async def test_without_a_commune_official_the_province_is_reminded_and_the_centre_told(
    db, clock, fake, make_service
) -> None:
    sent, leader = await _officials(db, clock, commune=False, centre=True)
    practice = await add_practice(db, leader.id, created=sent)
    service = make_service()

    await run(service, clock, sent + timedelta(days=7))
    [reminder] = fake.messages(PROVINCE)
    assert practice.code in reminder.plain_text and "đã chờ xem xét 7 ngày" in reminder.plain_text
    assert fake.messages(CENTRE) == []

    await run(service, clock, sent + timedelta(days=30))
    [escalated] = fake.messages(CENTRE)
    assert "được chuyển lên cấp Trung ương" in escalated.plain_text
    assert len(fake.messages(PROVINCE)) == 1


async def test_with_nobody_above_the_escalation_is_recorded_and_sends_nothing(
    db, clock, fake, make_service
) -> None:
    sent, leader = await _officials(db, clock, commune=False, province=False, centre=True)
    practice = await add_practice(db, leader.id, created=sent)
    service = make_service()

    await run(service, clock, sent + timedelta(days=30))
    assert len(fake.messages(CENTRE)) == 1  # the reminder; nobody sits above the centre
    runs = await _runs(db, practice.id)
    assert [(r.key.split(":")[2], r.recipients, r.note) for r in runs] == [
        ("remind", 1, None), ("escalate", 0, "no official to tell")]


async def test_a_reviewed_practice_is_never_reminded(db, clock, fake, make_service) -> None:
    sent, leader = await _officials(db, clock)
    for status in ("approved", "changes_requested", "rejected", "recognised"):
        await add_practice(db, leader.id, created=sent, status=status)
    service = make_service()

    await run(service, clock, sent + timedelta(days=40))

    assert fake.messages(COMMUNE) == [] and fake.messages(PROVINCE) == []
    async with db.session() as session:
        assert (await session.exec(select(ReminderRun).where(
            ReminderRun.key.startswith("prreview:")))).all() == []


async def test_a_practice_sent_again_after_changes_waits_anew(
    db, clock, fake, make_service
) -> None:
    sent, leader = await _officials(db, clock)
    practice = await add_practice(db, leader.id, created=sent)
    service = make_service()
    await run(service, clock, sent + timedelta(days=7))
    assert len(fake.messages(COMMUNE)) == 1

    resent = sent + timedelta(days=10)  # changes were asked for, and the leader sent it again
    async with db.session() as session:
        await session.exec(update(Practice).where(Practice.id == practice.id)
                           .values(updated_at=resent))
        await session.commit()
    await run(service, clock, resent + timedelta(days=7) - timedelta(minutes=1))
    assert len(fake.messages(COMMUNE)) == 1
    await run(service, clock, resent + timedelta(days=7))
    assert len(fake.messages(COMMUNE)) == 2
    assert fake.messages(PROVINCE) == []  # 30 days since it was sent again: not yet


async def test_two_schedulers_remind_once_one_after_the_other_or_at_the_same_instant(
    db, clock, fake, make_service
) -> None:
    """As after a leader change (a second worker's scheduler over the same database), and as if
    two passes ever overlapped: the reminder is queued and delivered once."""
    sent, leader = await _officials(db, clock)
    await add_practice(db, leader.id, created=sent)
    first, second = make_service(), make_service()

    await run(first, clock, sent + timedelta(days=7))
    await run(second, clock, sent + timedelta(days=7, hours=1))
    assert len(fake.messages(COMMUNE)) == 1

    clock.set(sent + timedelta(days=30))
    await asyncio.gather(first.tick(), second.tick())
    await first.outbox.drain()
    await second.outbox.drain()
    assert len(fake.messages(PROVINCE)) == 1
    assert len(fake.messages(COMMUNE)) == 1


async def test_shorter_settings_remind_and_escalate_sooner(db, clock, fake, make_service) -> None:
    sent, leader = await _officials(db, clock)
    await add_practice(db, leader.id, created=sent)
    service = make_service(review_remind_days=1, review_escalate_days=2)

    await run(service, clock, sent + timedelta(days=1))
    [reminder] = fake.messages(COMMUNE)
    assert "đã chờ xem xét 1 ngày" in reminder.plain_text
    await run(service, clock, sent + timedelta(days=2))
    [escalated] = fake.messages(PROVINCE)
    assert "quá 2 ngày" in escalated.plain_text


async def test_a_reminder_due_at_night_waits_for_the_end_of_quiet_hours(
    db, clock, fake, make_service
) -> None:
    await clear_calendar(db)
    sent = local(2027, 6, 1, 22, 0)
    clock.set(sent)
    await add_person(db, now=sent, role="official", level="commune", unit=HOAN_KIEM,
                     telegram=COMMUNE)
    leader = await add_person(db, now=sent, telegram=LEADER)
    practice = await add_practice(db, leader.id, created=sent)
    service = make_service()

    await run(service, clock, sent + timedelta(days=7))
    assert fake.messages(COMMUNE) == []
    assert [r.key.split(":")[2] for r in await _runs(db, practice.id)] == ["remind"]
    await run(service, clock, local(2027, 6, 9, 7, 0))
    assert len(fake.messages(COMMUNE)) == 1
