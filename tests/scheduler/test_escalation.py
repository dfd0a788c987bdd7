"""Feedback waiting too long: the commune's officials are reminded on day N, the province's
officials told on day M, and the escalation is written into the feedback's history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from scheduler.escalation import ESCALATED
from storage.models import Feedback, FeedbackEvent
from tests.scheduler.factories import HA_NOI, HOAN_KIEM, clear_calendar
from tests.scheduler.test_reminders import local, run
from tests.support.factories import add_feedback, add_person


async def _setup(db, clock):  # noqa: ANN001, ANN202
    await clear_calendar(db)  # only feedback here, no calendar reminders
    received = local(2027, 5, 10, 9, 30)
    clock.set(received)
    commune = await add_person(db, now=received, role="official", level="commune",
                               unit=HOAN_KIEM, telegram=9_600_001)
    province = await add_person(db, now=received, role="official", level="province",
                                unit=HA_NOI, telegram=9_600_002)
    citizen = await add_person(db, now=received, telegram=9_600_003)
    return received, commune, province, citizen


async def _history(db, feedback_id: int) -> list[FeedbackEvent]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(
            select(FeedbackEvent).where(FeedbackEvent.feedback_id == feedback_id)
            .order_by(FeedbackEvent.id))).all())


async def test_unacknowledged_feedback_is_recalled_on_day_3_and_escalated_on_day_15(
    db, clock, fake, make_service, make_chat
) -> None:
    received, _, _, citizen = await _setup(db, clock)
    feedback = await add_feedback(db, citizen.id, created=received)
    service = make_service()

    await run(service, clock, received + timedelta(days=3) - timedelta(minutes=1))
    assert fake.messages(9_600_001) == []
    await run(service, clock, received + timedelta(days=3))
    await run(service, clock, received + timedelta(days=4))
    [reminder] = fake.messages(9_600_001)
    assert feedback.code in reminder.plain_text and "3 ngày" in reminder.plain_text
    assert fake.messages(9_600_002) == []

    async with db.session() as session:  # an official takes it up, but never resolves it
        await session.exec(update(Feedback).where(Feedback.id == feedback.id)
                           .values(status="in_progress"))
        await session.commit()
    await run(service, clock, received + timedelta(days=15) - timedelta(minutes=1))
    assert fake.messages(9_600_002) == []
    assert ESCALATED not in [e.kind for e in await _history(db, feedback.id)]

    await run(service, clock, received + timedelta(days=15))
    await run(service, clock, received + timedelta(days=16))
    [escalated] = fake.messages(9_600_002)
    assert feedback.code in escalated.plain_text and "15 ngày" in escalated.plain_text
    assert len(fake.messages(9_600_001)) == 1
    [event] = [e for e in await _history(db, feedback.id) if e.kind == ESCALATED]
    assert event.created_at == received + timedelta(days=15)
    assert event.unit_code == HA_NOI and event.actor_id is None

    # the province official opens it from the message and sees the escalation in its history
    official = make_chat(user_id=9_600_002, name="Cán bộ tỉnh")
    card = "\n".join(r.text for r in await official.press_raw("a", f"fb_open:{feedback.id}")
                     if hasattr(r, "text"))
    assert "quá hạn giải quyết, đã chuyển Thành phố Hà Nội theo dõi" in card


async def test_escalation_happens_on_day_m_even_at_night_and_its_message_waits_for_7(
    db, clock, fake, make_service
) -> None:
    await clear_calendar(db)
    received = local(2027, 6, 1, 22, 0)
    clock.set(received)
    await add_person(db, now=received, role="official", level="commune", unit=HOAN_KIEM,
                     telegram=9_700_001)
    await add_person(db, now=received, role="official", level="province", unit=HA_NOI,
                     telegram=9_700_002)
    citizen = await add_person(db, now=received)
    feedback = await add_feedback(db, citizen.id, created=received, status="received")
    service = make_service()

    await run(service, clock, received + timedelta(days=15))
    assert fake.messages(9_700_002) == []
    assert [e.kind for e in await _history(db, feedback.id)][-1] == ESCALATED
    await run(service, clock, local(2027, 6, 17, 7, 0))
    assert len(fake.messages(9_700_002)) == 1


async def test_resolved_feedback_is_never_escalated(db, clock, fake, make_service) -> None:
    received, _, _, citizen = await _setup(db, clock)
    feedback = await add_feedback(db, citizen.id, created=received, status="resolved",
                                  first_answered=received + timedelta(hours=2),
                                  resolved=received + timedelta(days=1))
    service = make_service()

    await run(service, clock, received + timedelta(days=20))

    assert fake.messages(9_600_001) == [] and fake.messages(9_600_002) == []
    assert ESCALATED not in [e.kind for e in await _history(db, feedback.id)]


async def test_a_shorter_setting_escalates_sooner(db, clock, fake, make_service) -> None:
    received, _, _, citizen = await _setup(db, clock)
    await add_feedback(db, citizen.id, created=received)
    service = make_service(escalation_ack_days=1, escalation_resolve_days=2)

    await run(service, clock, received + timedelta(days=1))
    assert len(fake.messages(9_600_001)) == 1
    await run(service, clock, received + timedelta(days=2))
    assert len(fake.messages(9_600_002)) == 1


async def _handled_by_the_province(db, feedback: Feedback) -> None:  # noqa: ANN001
    async with db.session() as session:  # forwarded up: the province itself answers for it
        await session.exec(update(Feedback).where(Feedback.id == feedback.id)
                           .values(assigned_unit_code=HA_NOI, status="in_progress"))
        await session.commit()


async def test_feedback_the_province_handles_escalates_to_the_central_level(
    db, clock, fake, make_service, make_chat
) -> None:
    received, _, _, citizen = await _setup(db, clock)
    await add_person(db, now=received, role="official", level="central", unit=None,
                     telegram=9_600_009)
    feedback = await add_feedback(db, citizen.id, created=received)
    await _handled_by_the_province(db, feedback)
    service = make_service()

    await run(service, clock, received + timedelta(days=15))

    assert fake.messages(9_600_002) == []  # not told of its own overdue work as an escalation
    [escalated] = fake.messages(9_600_009)
    assert feedback.code in escalated.plain_text and "cấp Trung ương" in escalated.plain_text
    [event] = [e for e in await _history(db, feedback.id) if e.kind == ESCALATED]
    assert event.unit_code is None
    official = make_chat(user_id=9_600_009, name="Cán bộ Trung ương")
    card = "\n".join(r.text for r in await official.press_raw("a", f"fb_open:{feedback.id}")
                     if hasattr(r, "text"))
    assert "quá hạn giải quyết, đã chuyển Cấp Trung ương theo dõi" in card


async def test_feedback_the_top_level_handles_is_escalated_nowhere(
    db, clock, fake, make_service
) -> None:
    received, _, _, citizen = await _setup(db, clock)  # no central official at all
    feedback = await add_feedback(db, citizen.id, created=received)
    await _handled_by_the_province(db, feedback)
    service = make_service()

    await run(service, clock, received + timedelta(days=15))
    await run(service, clock, received + timedelta(days=16))

    assert fake.messages(9_600_001) == [] and fake.messages(9_600_002) == []
    assert ESCALATED not in [e.kind for e in await _history(db, feedback.id)]
