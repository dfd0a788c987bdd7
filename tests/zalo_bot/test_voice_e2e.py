"""Voice notes on Zalo Bot: Zalo hands the bot a `voice_url`; the note is downloaded within the
size cap, measured and kept clean. The official on Zalo gets it as a voice message Zalo plays
(`sendVoice`, an .aac file by a signed link) and a link any phone plays; neither carries the
tags the citizen's phone wrote."""

from __future__ import annotations

import aiohttp
from sqlmodel import select

from storage.models import Feedback, FeedbackVoice
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support.chat_driver import walk
from tests.support.officials import HOAN_KIEM, feedback_walk
from tests.support.voices import assert_clean_voice, voice_note
from tests.zalo_bot.harness import (
    ZaloBotChat,
    ZaloDriver,
    needs_feedback,
    running_app,
    zalo_become_official,
)


@needs_feedback
async def test_a_voice_note_reaches_the_official_on_zalo_as_a_playable_voice(
        settings, clock, db):
    async with FakeZaloBot() as fake:
        hoa, minh = fake.user("2001", "Hoa"), fake.user("3001", "Minh")
        async with running_app(settings, clock, fake) as app:
            citizen, official = ZaloDriver(app, fake, hoa), ZaloDriver(app, fake, minh)
            await zalo_become_official(official, db, clock, unit=HOAN_KIEM)
            walk_steps = feedback_walk(photos=0)
            await citizen.command("phananh")
            await walk(ZaloBotChat(citizen), [walk_steps[0]])
            assert "hoặc gửi tin nhắn thoại, tối đa 2 phút và 2 MB" in hoa.last.text

            await citizen.voice(voice_note(5, kind="m4a"))  # an iPhone's recording, tagged
            assert "🎤 Đã nhận tin nhắn thoại (0:05)" in hoa.last.text
            assert "gõ một dòng tóm tắt" in hoa.last.text
            await citizen.pick("Bỏ qua")
            await walk(ZaloBotChat(citizen), walk_steps[2:])
            assert "🎤 Tin nhắn thoại 0:05" in hoa.last.text
            await citizen.pick("Gửi")
            assert "PA-2026-000001" in hoa.last.text

            async with db.session() as session:
                [feedback] = (await session.exec(select(Feedback))).all()
                [note] = (await session.exec(select(FeedbackVoice))).all()
            assert (feedback.text, note.duration_seconds, note.channel) == ("", 5, "zalo_bot")

            await app.outbox.drain()
            assert "Phản ánh mới PA-2026-000001" in minh.last.text
            assert "tin nhắn thoại 0:05" in minh.last.text
            shown = await official.text("1")  # the notice's action "open", typed
            assert [m.method for m in shown] == ["sendVoice", "sendMessage", "sendMessage"]
            assert_clean_voice(shown[0].voice_bytes, seconds=5, container="aac")
            listen = shown[1].text
            assert listen.startswith("🎤 PA-2026-000001 — tin nhắn thoại 1/1 (0:05)")
            link = listen.split("Nghe: ", 1)[1].strip()
            async with aiohttp.ClientSession() as http, http.get(link) as response:
                assert response.status == 200
                assert response.content_type == "audio/mp4"
                assert_clean_voice(await response.read(), seconds=5, container="mp4")
            assert "Hoa" not in listen and "ẩn danh" in shown[2].text
        assert fake.errors == []


@needs_feedback
async def test_a_voice_note_over_the_size_cap_is_refused_and_the_draft_kept(
        settings, clock, db):
    async with FakeZaloBot() as fake:
        hoa = fake.user("2001", "Hoa")
        async with running_app(settings, clock, fake, voice_max_bytes=100 * 1024) as app:
            citizen = ZaloDriver(app, fake, hoa)
            walk_steps = feedback_walk(photos=0)
            await citizen.command("phananh")
            await walk(ZaloBotChat(citizen), [walk_steps[0]])
            await citizen.voice(voice_note(20, kind="m4a"))  # about 200 KB
            refusal = hoa.last.text
            assert "Tệp ghi âm lớn quá: bot nhận tối đa 0,1 MB và 2 phút" in refusal
            assert "Hãy mô tả sự việc" in refusal
            await citizen.voice(b"\xff\xf1 not sound at all" * 10)
            assert "Không nghe được tin nhắn thoại (tệp âm thanh) này" in hoa.last.text
            await walk(ZaloBotChat(citizen), walk_steps[1:])
            await citizen.pick("Gửi")
            async with db.session() as session:
                [feedback] = (await session.exec(select(Feedback))).all()
                notes = (await session.exec(select(FeedbackVoice))).all()
            assert feedback.category == "infrastructure" and notes == []
            assert "Đèn đường ngõ 12" in feedback.text
        assert fake.errors == []
