"""Voice notes on the web chat, the product started without any platform token: a citizen sends
the phone's recording as the description and another as an addition; the official, in their own
web chat, plays both from <audio> elements (Opus and AAC sources, no tags); /dulieucuatoi lists
the notes, /xoadulieu erases them. A note over the caps is refused with the caps, the draft
kept."""

from __future__ import annotations

import base64
import json

from sqlmodel import select

from bot.app import App
from storage.models import Feedback, FeedbackEvent, FeedbackVoice
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.officials import HOAN_KIEM, feedback_walk
from tests.support.voices import assert_clean_voice, voice_note
from tests.web.chat_client import WebChat, WebChatClient
from tests.web.test_chat_notices import browser


def _decoded(source: tuple[str, str]) -> bytes:
    return base64.b64decode(source[0].split(",", 1)[1])


async def _voices(db) -> list[FeedbackVoice]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(select(FeedbackVoice))).all())


async def test_voice_notes_from_the_web_chat_play_for_the_official_and_are_the_senders(
        settings, clock, db):
    app = App(settings, clock=clock)
    await app.start()
    media = app.engine.services.media
    try:
        async with browser(app.web.url) as hoa_browser, browser(app.web.url) as minh_browser:
            hoa, minh = WebChatClient(hoa_browser), WebChatClient(minh_browser)
            await minh.text("/start " + await make_invite(db, clock, unit=HOAN_KIEM))
            await hoa.start()
            walk_steps = feedback_walk(photos=0)
            await hoa.text("/phananh")
            await walk(WebChat(hoa), [walk_steps[0]])
            assert "hoặc gửi tin nhắn thoại, tối đa 2 phút và 2 MB" in hoa.last.text
            answered = await hoa.voice(voice_note(4, kind="m4a"))
            assert hoa.status == 200, answered
            assert "🎤 Đã nhận tin nhắn thoại (0:04)" in hoa.last.text
            await hoa.text("Đèn đường ngõ 12 hỏng")
            await walk(WebChat(hoa), walk_steps[2:])
            assert "🎤 Tin nhắn thoại 0:04 — «Đèn đường ngõ 12 hỏng»" in hoa.last.text
            await hoa.press("✅ Gửi")
            assert "PA-2026-000001" in hoa.last.text

            await app.outbox.drain()
            [new] = await minh.notices()
            assert "Phản ánh mới PA-2026-000001" in new.text
            card = await minh.press("Mở")
            [voice] = [b for b in card if b.kind == "voice"]
            assert voice.text == "PA-2026-000001 — tin nhắn thoại 1/1 (0:04)"
            assert [kind for _, kind in voice.sources] == ["audio/ogg; codecs=opus", "audio/mp4"]
            assert_clean_voice(_decoded(voice.sources[0]), seconds=4)
            assert_clean_voice(_decoded(voice.sources[1]), seconds=4, container="mp4")
            assert "ẩn danh" in minh.last.text

            # An addition, spoken too, with no summary.
            await hoa.text("/tracuu PA-2026-000001")
            await hoa.press("Bổ sung thông tin, ảnh")
            await hoa.voice(voice_note(3, kind="webm"), name="ghi-am.webm",
                            content_type="audio/webm")
            assert "🎤 Đã nhận tin nhắn thoại (0:03)" in hoa.last.text
            await hoa.press("Bỏ qua")
            await hoa.press("Không có ảnh, tiếp tục")
            await hoa.press("Gửi")
            assert "Đã gửi phần bổ sung" in hoa.last.text
            await app.outbox.drain()
            [added] = await minh.notices()
            assert "«🎤 Tin nhắn thoại 0:03»" in added.text
            card = await minh.press("Mở")
            assert [b.text for b in card if b.kind == "voice"] == [
                "PA-2026-000001 — tin nhắn thoại 1/2 (0:04)",
                "PA-2026-000001 — tin nhắn thoại 2/2 (0:03)"]

            notes = await _voices(db)
            async with db.session() as session:
                events = (await session.exec(select(FeedbackEvent))).all()
            assert [(n.duration_seconds, n.channel) for n in notes] == [(4, "web"), (3, "web")]
            assert [n.event_id for n in notes] == [events[0].id, events[-1].id]

            # The sender's data: listed, then erased with their files.
            answer = await hoa.text("/dulieucuatoi")
            summary = next(b for b in answer if b.kind == "bot")
            assert "Tin nhắn thoại đã gửi: 2 (tổng 7 giây)" in summary.text
            exported = [b for b in answer if b.kind == "document"]
            assert exported, answer
            await hoa.text("/xoadulieu")
            await hoa.press("Xoá vĩnh viễn")
            assert "Đã xoá dữ liệu của bạn" in hoa.last.text
        assert await _voices(db) == []
        assert not any(media.objects.exists(n.path) for n in notes)
        async with db.session() as session:
            [feedback] = (await session.exec(select(Feedback))).all()
        assert feedback.text == "Đèn đường ngõ 12 hỏng"  # the feedback stays
    finally:
        await app.stop()


async def test_the_export_lists_each_voice_note(settings, clock, db):
    app = App(settings, clock=clock)
    await app.start()
    try:
        async with browser(app.web.url) as hoa_browser:
            hoa = WebChatClient(hoa_browser)
            await hoa.start()
            walk_steps = feedback_walk(photos=0)
            await hoa.text("/phananh")
            await walk(WebChat(hoa), [walk_steps[0]])
            await hoa.voice(voice_note(2))
            await hoa.press("Bỏ qua")
            await walk(WebChat(hoa), walk_steps[2:])
            await hoa.press("✅ Gửi")
            answer = await hoa.text("/dulieucuatoi")
        [document] = [b for b in answer if b.kind == "document"]
        exported = json.loads(base64.b64decode(document.src.split(",", 1)[1]))
        [feedback] = exported["feedback"]
        [note] = feedback["voice_notes"]
        [stored] = await _voices(db)
        assert (note["id"], note["path"], note["duration_seconds"]) == (
            stored.id, stored.path, 2)
    finally:
        await app.stop()


async def test_a_voice_note_over_the_length_cap_is_refused_and_the_draft_kept(
        settings, clock, db):
    app = App(settings.updated(voice_max_seconds=10), clock=clock)
    await app.start()
    try:
        async with browser(app.web.url) as hoa_browser:
            hoa = WebChatClient(hoa_browser)
            await hoa.start()
            walk_steps = feedback_walk(photos=0)
            await hoa.text("/phananh")
            await walk(WebChat(hoa), [walk_steps[0]])
            await hoa.voice(voice_note(14, kind="webm"), content_type="audio/webm")
            refusal = hoa.last.text
            assert "Tin nhắn thoại dài quá: bot nhận tối đa 10 giây và 2 MB" in refusal
            assert "Hãy mô tả sự việc" in refusal
            await hoa.voice(b"not sound" * 100, content_type="audio/mp4")
            assert "Không nghe được tin nhắn thoại (tệp âm thanh) này" in hoa.last.text
            await walk(WebChat(hoa), walk_steps[1:])
            assert "Hạ tầng" in hoa.last.text
            await hoa.press("✅ Gửi")
        async with db.session() as session:
            [feedback] = (await session.exec(select(Feedback))).all()
        assert feedback.category == "infrastructure" and await _voices(db) == []
        assert not [i for i in app.engine.services.media.objects.list()
                    if i.key.endswith(".ogg")]
    finally:
        await app.stop()
