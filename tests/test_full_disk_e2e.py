"""A photo that arrives while the media disk is full, on every channel that downloads photos
(Telegram, Zalo Bot, Zalo OA) and on the web chat: the disk refuses the bytes half-way with
ENOSPC. The person is told the system is busy and asked the same question again; nothing they
entered is lost, nothing half-written is left, no error is logged as a crash; once there is room
again the same kind of photo is taken.

The full disk is real (tests/support/faults.py: a tiny tmpfs filled to the last byte, mounted
over MEDIA_DIR); the adapters are the real ones, over HTTP against the fake platforms."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from storage.models import Conversation
from tests.support.channels import chat_on
from tests.support.chat_driver import ChatDriver, walk
from tests.support.faults import FILLER, full_disk, partial_files
from tests.support.officials import feedback_walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.voices import voice_note

BUSY = "⚠️ Hệ thống đang bận, thử lại sau"


async def one_photo(channel: str, chat: ChatDriver) -> list[str]:
    """Send one photo as a person on `channel` does; the texts of what the bot answered."""
    if channel == "telegram" or channel == "zalo_bot":
        replies = await chat.driver.photo()  # type: ignore[attr-defined]
    elif channel == "zalo_oa":
        replies = await chat.driver.photos(1)  # type: ignore[attr-defined]
    else:
        replies = await chat.client.photos(1)  # type: ignore[attr-defined]
    return [reply.text for reply in replies if reply.text]


async def conversation(db) -> dict:  # noqa: ANN001
    """What the conversation holds: the answers so far, and photos taken for this question
    (`scratch`, until the person says they are done)."""
    async with db.session() as session:
        data = (await session.exec(select(Conversation))).one().data
    return {"answers": data["draft"]["answers"], "scratch": data["draft"].get("scratch") or {}}


@pytest.mark.parametrize("channel", ["telegram", "zalo_bot", "zalo_oa", "web"])
async def test_a_photo_arriving_on_a_full_disk_is_answered_busy_and_nothing_is_lost(
        channel, settings, clock, db, services, engine, caplog):  # noqa: ANN001
    caplog.set_level(logging.INFO)
    media = settings.media.dir
    async with chat_on(channel, settings, clock, db, services, engine) as chat:
        await chat.open_menu()
        await chat.press("Gửi mô hình")
        await walk(chat, COMPLETE_PRACTICE[:[s.kind for s in COMPLETE_PRACTICE].index("photos")])
        question = chat.last_text.split("\n\n")[-1].splitlines()[0]
        before = await conversation(db)

        with full_disk(media):
            answers = await one_photo(channel, chat)
            assert len(answers) == 1, answers
            assert answers[0].startswith(BUSY), answers
            assert question in answers[0]  # the same question again
            assert partial_files(media) == []
            assert [p.name for p in media.rglob("*") if p.is_file()] == [FILLER]
        assert await conversation(db) == before  # nothing entered is lost, no photo half-kept

        [accepted] = await one_photo(channel, chat)
        assert "Đã nhận ảnh" in accepted, accepted
        after = await conversation(db)
        assert len(after["scratch"]["photos"]) == 1 and after["answers"] == before["answers"]
    kept = [p for p in media.rglob("*") if p.is_file() and p.parts[len(media.parts)] not in
            ("derived", "incoming", "healthz")]
    assert len(kept) == 1 and partial_files(media) == []
    crashes = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert crashes == []


@pytest.mark.parametrize("channel", ["telegram", "zalo_bot", "zalo_oa", "web"])
async def test_a_voice_note_arriving_on_a_full_disk_is_answered_busy_about_the_voice_note(
        channel, settings, clock, db, services, engine, caplog):  # noqa: ANN001
    """The same refusal for a voice note names the voice note (it used to say "this photo")."""
    caplog.set_level(logging.INFO)
    media = settings.media.dir
    async with chat_on(channel, settings, clock, db, services, engine) as chat:
        await chat.open_menu()
        await chat.press("Gửi phản ánh")
        await walk(chat, feedback_walk(photos=0)[:1])  # the category; now the description
        question = chat.last_text.split("\n\n")[-1].splitlines()[0]
        before = await conversation(db)

        with full_disk(media):
            await chat.voice(voice_note(3), 3)
            answer = chat.last_text
            assert answer.startswith(BUSY), answer
            assert "chưa lưu được tin nhắn thoại này" in answer
            assert "chưa lưu được ảnh" not in answer
            assert question in answer  # the same question again
            assert partial_files(media) == []
        assert await conversation(db) == before  # nothing entered is lost

        await chat.voice(voice_note(3), 3)
        assert "🎤 Đã nhận tin nhắn thoại (0:03)" in chat.last_text
    assert partial_files(media) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
