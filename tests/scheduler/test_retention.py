"""Retention: RETENTION_DAYS_AFTER_CLOSE days after a feedback closes, its sender's name,
phone and photos are erased by the scheduler, in batches, counted in the log and /metrics;
the feedback, its history and the official's answer stay. Time moves on the injected clock."""

from __future__ import annotations

import logging

from sqlmodel import select

from bot.web.metrics import Metrics
from scheduler.retention import Retention, RetentionCounts
from storage.models import (
    Feedback,
    FeedbackEvent,
    FeedbackFollower,
    FeedbackPhoto,
    FeedbackVoice,
    OutboxMessage,
)
from storage.repositories.followers import people_affected
from tests.handlers.test_feedback import send_feedback
from tests.officials.test_officials import official
from tests.support.chat_driver import walk
from tests.support.officials import feedback_walk
from tests.support.voices import voice_note

ERASED = "Người dân đã xoá dữ liệu"


async def resolved_named_feedback(make_chat, db, clock, count: int = 1):  # noqa: ANN001, ANN201
    """Nam's named feedback with his phone and a photo, resolved by the commune's official."""
    nam = make_chat(2001, "Trần Văn Nam")
    for _ in range(count):
        await send_feedback(nam, feedback_walk(anonymous=False, photos=1, phone="0912345678"))
    minh = await official(make_chat, db, clock)
    for feedback_id in range(1, count + 1):
        await minh.press_raw("a", f"fb_resolve:{feedback_id}")
        await minh.text("Đã thay bóng đèn.")
        await minh.press("Không có ảnh (nêu lý do)")
        await minh.text("Xử lý qua điện thoại.")
        await minh.press("Gửi")
        assert "Đã giải quyết" in minh.last.text, minh.last.text


async def stored(db):  # noqa: ANN001, ANN201
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback).order_by(Feedback.id))).all()
        photos = (await session.exec(select(FeedbackPhoto))).all()
        events = (await session.exec(select(FeedbackEvent))).all()
        messages = (await session.exec(select(OutboxMessage))).all()
    return feedback, photos, events, messages


async def test_personal_data_goes_after_the_configured_days(make_chat, db, clock, services,
                                                            caplog):
    await resolved_named_feedback(make_chat, db, clock)
    [feedback], [photo], events_before, _ = await stored(db)
    assert services.media.objects.exists(photo.path)
    retention = Retention(db, clock, services.media, days=30)
    metrics = Metrics()
    retention.on_erased = lambda c: metrics.retention_erased.inc("feedback", c.feedback)

    clock.advance(days=29, hours=23)
    assert await retention.run() == RetentionCounts()
    assert (await stored(db))[0][0].reporter_phone == "+84912345678"

    clock.advance(hours=2)
    with caplog.at_level(logging.INFO, logger="scheduler.retention"):
        assert await retention.run() == RetentionCounts(feedback=1, photos=1, batches=1)
    [feedback], photos, events, messages = await stored(db)
    assert (feedback.reporter_name, feedback.reporter_phone) == (ERASED, None)
    assert photos == [] and not services.media.objects.exists(photo.path)
    assert feedback.status == "resolved" and feedback.text.startswith("Đèn đường")
    assert [(e.kind, e.text) for e in events] == [(e.kind, e.text) for e in events_before]
    assert any(e.text and "Đã thay bóng đèn" in e.text for e in events)
    assert not any("Trần Văn Nam" in str(m.payload) or "912345678" in str(m.payload)
                   for m in messages)
    [record] = [r for r in caplog.records if r.name == "scheduler.retention"]
    assert (record.retention_feedback, record.retention_photos) == (1, 1)
    assert "dvk_retention_erased_total{what=\"feedback\"} 1" in await metrics.render()
    assert await retention.run() == RetentionCounts()  # nothing left to erase


async def test_voice_notes_go_with_the_rest_of_the_senders_data(make_chat, db, clock,
                                                               services):
    nam = make_chat(2001, "Trần Văn Nam")
    walk_steps = feedback_walk(anonymous=False, photos=0, phone="0912345678")
    await nam.command("phananh")
    await walk(nam, [walk_steps[0]])
    await nam.voice(voice_note(3))
    await nam.text("Đèn đường hỏng")
    await walk(nam, walk_steps[2:])
    await nam.press("Gửi")
    minh = await official(make_chat, db, clock)
    await minh.press_raw("a", "fb_resolve:1")
    await minh.text("Đã thay bóng đèn.")
    await minh.press("Không có ảnh (nêu lý do)")
    await minh.text("Xử lý qua điện thoại.")
    await minh.press("Gửi")
    async with db.session() as session:
        [note] = (await session.exec(select(FeedbackVoice))).all()
    assert services.media.objects.exists(note.path)
    retention = Retention(db, clock, services.media, days=30)
    clock.advance(days=31)
    assert await retention.run() == RetentionCounts(feedback=1, batches=1, voice_notes=1)
    async with db.session() as session:
        assert (await session.exec(select(FeedbackVoice))).all() == []
        [feedback] = (await session.exec(select(Feedback))).all()
    assert not services.media.objects.exists(note.path)
    assert feedback.text == "Đèn đường hỏng" and feedback.reporter_phone is None
    assert await retention.run() == RetentionCounts()


async def test_open_feedback_is_kept_however_old(make_chat, db, clock, services):
    nam = make_chat(2001, "Trần Văn Nam")
    await send_feedback(nam, feedback_walk(anonymous=False, photos=1, phone="0912345678"))
    clock.advance(days=3000)
    assert await Retention(db, clock, services.media, days=365).run() == RetentionCounts()
    [feedback], photos, _, _ = await stored(db)
    assert feedback.reporter_phone == "+84912345678" and len(photos) == 1


async def test_a_backlog_goes_in_batches(make_chat, db, clock, services):
    await resolved_named_feedback(make_chat, db, clock, count=5)
    clock.advance(days=366)
    counts = await Retention(db, clock, services.media, days=365, batch=2).run()
    assert counts == RetentionCounts(feedback=5, photos=5, batches=3)
    feedback, photos, _, _ = await stored(db)
    assert {f.reporter_name for f in feedback} == {ERASED} and photos == []


async def test_the_setting_reaches_the_scheduler_and_the_notice(make_service, settings,
                                                                  make_chat):
    service = make_service()
    assert service.retention.keep.days == settings.flows.retention_days_after_close == 365
    chat = make_chat(2002, "Hà")
    await chat.command("quyenriengtu")
    assert "sau 365 ngày" in chat.last.text


async def test_who_followed_a_closed_feedback_is_unlinked_after_the_days(make_chat, db, clock,
                                                                         services):
    """Lan followed Nam's feedback instead of sending the same; once it has been closed for the
    configured days her link goes with Nam's data, and the count of people affected stays."""
    lan = make_chat(1001, "Lan")
    await lan.command("phananh")
    nam = make_chat(2001, "Trần Văn Nam")
    await send_feedback(nam, feedback_walk(anonymous=False, photos=1, phone="0912345678"))
    await walk(lan, feedback_walk(photos=0))
    await lan.press("Gửi")
    await lan.press("Đúng, theo dõi phản ánh này")
    assert "Bạn đang theo dõi phản ánh PA-2026-000001" in lan.last.text
    minh = await official(make_chat, db, clock)
    await minh.press_raw("a", "fb_resolve:1")
    await minh.text("Đã thay bóng đèn.")
    await minh.press("Không có ảnh (nêu lý do)")
    await minh.text("Xử lý qua điện thoại.")
    await minh.press("Gửi")
    retention = Retention(db, clock, services.media, days=30)
    clock.advance(days=29)
    assert await retention.run() == RetentionCounts()
    async with db.session() as session:
        [row] = (await session.exec(select(FeedbackFollower))).all()
    assert row.person_id is not None

    clock.advance(days=2)
    assert await retention.run() == RetentionCounts(feedback=1, photos=1, followers=1,
                                                    batches=1)
    async with db.session() as session:
        [row] = (await session.exec(select(FeedbackFollower))).all()
        assert row.person_id is None and await people_affected(session, 1) == 2
    assert await retention.run() == RetentionCounts()
