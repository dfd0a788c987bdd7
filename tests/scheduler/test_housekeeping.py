"""Housekeeping: processed-update marks and shown web notices are forgotten when they can no
longer matter, in batches, and voice notes nobody holds are deleted; everything still useful
stays."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from sqlmodel import select

from handlers.events import Sender, TextEvent
from scheduler.housekeeping import Housekeeping
from storage.media import MediaStore
from storage.models import Conversation, FeedbackVoice, ProcessedUpdate, WebNotice
from storage.repositories import updates, web_notices
from tests.support.chat_driver import walk
from tests.support.officials import feedback_walk
from tests.support.voices import voice_note

NOTICE = [{"kind": "text", "text": "Cán bộ đã trả lời phản ánh của bạn."}]


def housekeeping(db, clock, *, batch: int = 2_000) -> Housekeeping:  # noqa: ANN001
    return Housekeeping(db, clock, processed_updates_keep=timedelta(days=7),
                        web_session_lifetime=timedelta(days=30), batch=batch)


async def marks(db) -> list[str]:  # noqa: ANN001
    async with db.session() as session:
        return sorted((await session.exec(select(ProcessedUpdate.update_id))).all())


async def test_a_redelivery_within_the_window_is_still_dropped_after_housekeeping(
    db, clock, engine
) -> None:
    lan = Sender(channel="telegram", external_id="501", chat_id="501", display_name="Lan")
    await engine.handle(TextEvent(lan, text="/help", update_id="old"))
    clock.advance(days=6)
    recent = TextEvent(lan, text="/help", update_id="recent")
    assert await engine.handle(recent)
    clock.advance(days=2)  # "old" is now 8 days old, "recent" 2

    assert await housekeeping(db, clock).run() == 1

    assert await marks(db) == ["recent"]
    assert await engine.handle(recent) == []  # Telegram sent it again: still handled once


async def test_a_backlog_is_deleted_in_batches(db, clock) -> None:
    long_ago = clock.now() - timedelta(days=90)
    async with db.session() as session:
        for n in range(7):
            await updates.mark(session, channel="telegram", update_id=f"u{n}",
                         now=long_ago + timedelta(minutes=n))
        await updates.mark(session, channel="zalo", update_id="today", now=clock.now())
        await session.commit()

    assert await housekeeping(db, clock, batch=2).run() == 7

    assert await marks(db) == ["today"]


async def test_shown_notices_go_after_a_month_unshown_ones_when_no_page_can_fetch_them(
    db, clock
) -> None:
    now = clock.now()
    async with db.session() as session:
        shown_long_ago = await web_notices.add_notice(
            session, chat_id="a", payload=NOTICE, now=now - timedelta(days=40))
        shown_long_ago.seen_at = now - timedelta(days=31)
        shown_lately = await web_notices.add_notice(
            session, chat_id="a", payload=NOTICE, now=now - timedelta(days=10))
        shown_lately.seen_at = now - timedelta(days=3)
        await web_notices.add_notice(  # its session expired unseen: nobody can ask for it
            session, chat_id="b", payload=NOTICE, now=now - timedelta(days=31))
        waiting = await web_notices.add_notice(
            session, chat_id="c", payload=NOTICE, now=now - timedelta(days=20))
        await session.commit()
        kept = {shown_lately.id, waiting.id}

    assert await housekeeping(db, clock).run() == 2

    async with db.session() as session:
        assert set((await session.exec(select(WebNotice.id))).all()) == kept


async def test_report_workbooks_go_after_a_month(db, clock, tmp_path) -> None:
    reports = tmp_path / "media" / "reports"
    reports.mkdir(parents=True)
    now = time.time()  # file ages are the file system's
    for name, age_days in [("ondemand-1.xlsx", 31), ("ondemand-2.xlsx", 3),
                           ("deadline-9-province-01.xlsx", 45)]:
        path = reports / name
        path.write_bytes(b"PK")
        os.utime(path, (now - age_days * 86_400, now - age_days * 86_400))
    cleaner = Housekeeping(db, clock, processed_updates_keep=timedelta(days=7),
                           web_session_lifetime=timedelta(days=30),
                           media=MediaStore(tmp_path / "media", max_image_bytes=1_000))

    assert await cleaner.run() == 2

    assert sorted(p.name for p in reports.iterdir()) == ["ondemand-2.xlsx"]


async def test_voice_notes_nobody_holds_go_after_a_day(make_chat, db, clock, services) -> None:
    """Kept: a feedback's note and one a draft holds (waiting for its summary). Gone: one sent
    outside any flow and one sent at a question that takes none (the photos)."""
    media = services.media
    hoa = make_chat(2001, "Hoa")
    steps = feedback_walk(photos=0)
    await hoa.command("phananh")
    await walk(hoa, [steps[0]])
    await hoa.voice(voice_note(2, tone=300))
    await hoa.press("Bỏ qua")
    await walk(hoa, steps[2:])
    await hoa.press("Gửi")
    lan = make_chat(2002, "Lan")
    await lan.command("phananh")
    await walk(lan, [steps[0]])
    await lan.voice(voice_note(2, tone=400))  # waiting for its summary
    nam = make_chat(2003, "Nam")
    await nam.voice(voice_note(2, tone=500))  # no flow: the menu
    await nam.command("phananh")
    for step in steps[:2]:  # the category, the description typed
        await walk(nam, [step])
    await nam.voice(voice_note(2, tone=600))  # at the photos: "needs a typed answer"
    assert "cần câu trả lời bằng chữ" in nam.last.text
    notes = sorted(info.key for info in media.objects.list("voice/"))
    assert len(notes) == 4
    async with db.session() as session:
        [kept] = (await session.exec(select(FeedbackVoice.path))).all()
        [draft] = (await session.exec(select(Conversation).where(
            Conversation.step == "text"))).all()
    held = draft.data["draft"]["scratch"]["voice"]["path"]

    def cleaner(keep: timedelta) -> Housekeeping:
        return Housekeeping(db, clock, processed_updates_keep=timedelta(days=7),
                            web_session_lifetime=timedelta(days=30), media=media,
                            unused_voice_keep=keep)

    assert await cleaner(timedelta(days=1)).run() == 0  # all of them are new
    assert await cleaner(timedelta(0)).run() == 2
    assert sorted(info.key for info in media.objects.list("voice/")) == sorted([kept, held])
