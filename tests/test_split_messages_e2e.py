"""Split messages are joined (issue 18, item 2): an app cuts a long paste into several messages
(Telegram at 4,096 characters, Zalo at 2,000); the bot holds a text answering a free-text
question for `TEXT_JOIN_SECONDS` and joins what follows within that window, so the paste is
checked whole: too long, it is refused with its length and nothing of it is kept; within the
limit (the practice's description: 3,000 characters), it is stored whole. No sleeping: the
window passes on the test's clock (`ManualClock.pass_time` runs the engine's timer)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import build_services
from handlers.engine import Engine
from storage.models import Conversation
from tests.support.channels import chat_on
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat
from tests.web.chat_client import WebChat
from tests.zalo_bot.harness import ZaloBotChat

WINDOW = 1.5
DESCRIBE = "Mô tả ngắn gọn mô hình"
NEXT = "Rõ người"
SENTENCE = "Mỗi tối các hộ thay nhau đánh kẻng nhắc đóng cửa, tắt bếp, trông nhà giúp nhau. "


def paste(length: int) -> str:
    """A pasted description of exactly `length` characters, ending in a full stop."""
    text = (SENTENCE * (length // len(SENTENCE) + 1))[:length - 1]
    return text + "."


async def send_parts(chat, parts: list[str]) -> None:  # noqa: ANN001
    """The parts as the person's app sends them: one right after the other."""
    if isinstance(chat, TelegramChat | ZaloBotChat):  # each part queued before either is read
        user = chat.driver.user
        await chat.driver._after(*[user.send_text(part) for part in parts])
    else:
        for part in parts:
            shown = await chat.client.text(part)
            assert chat.client.status == 200 and shown == []  # held: nothing yet


async def window_passes(chat, clock) -> None:  # noqa: ANN001
    await clock.pass_time(seconds=WINDOW)
    if isinstance(chat, WebChat):  # the page asks for the answer once the window has passed
        await chat.client.notices()


def seen(chat) -> list[str]:  # noqa: ANN001
    if isinstance(chat, WebChat):
        return [b.text for b in chat.client.transcript if b.kind == "bot"]
    return [m.text for m in chat.driver.user.inbox if m.text]


async def walk_to_description(chat, clock) -> None:  # noqa: ANN001
    """Every question before the description, each typed answer answered once the window has
    passed (nobody types a second part of a name)."""
    await chat.open_menu()
    await chat.press("Gửi mô hình")
    for step in COMPLETE_PRACTICE[:[s.field for s in COMPLETE_PRACTICE].index("description")]:
        await walk(chat, [step])
        if step.kind == "text":
            await window_passes(chat, clock)
    assert DESCRIBE in chat.last_text, chat.last_text


async def state(db) -> dict:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Conversation))).one().data


def joining(settings, clock, db):  # noqa: ANN001, ANN201
    """The product with the join window on, on the channel a test picks."""
    joined = settings.updated(text_join_seconds=WINDOW)
    services = build_services(joined, clock)
    return lambda channel: chat_on(channel, joined, clock, db, services, Engine(db, services))


@pytest.mark.parametrize("channel", ["telegram", "web"])
async def test_a_paste_too_long_in_two_messages_is_refused_whole_with_its_length(
        channel, settings, clock, db):
    text = paste(5000)
    async with joining(settings, clock, db)(channel) as chat:
        await walk_to_description(chat, clock)
        before = len(seen(chat))
        await send_parts(chat, [text[:4096], text[4096:]])  # as Telegram cuts it: 4,096 + 904
        assert len(seen(chat)) == before  # neither part is answered on its own
        assert (await state(db))["held"]["text"] == text  # kept meanwhile, joined

        await window_passes(chat, clock)
        [refusal] = seen(chat)[before:]
        assert "Câu trả lời dài 5000 ký tự, vượt quá 3000 ký tự" in refusal, refusal
        assert DESCRIBE in refusal  # the same question again
        data = await state(db)
        assert "description" not in data["draft"]["answers"] and data["held"] is None
        assert data["draft"]["answers"]["title"] == "Tiếng kẻng an ninh thôn"

        short = "Các hộ thay nhau đánh kẻng mỗi tối."
        await chat.text(short)
        await window_passes(chat, clock)
        assert NEXT in chat.last_text, chat.last_text
    assert (await state(db))["draft"]["answers"]["description"] == short


@pytest.mark.parametrize(("channel", "cut"), [
    ("telegram", None),  # 3,000 characters fit in one Telegram message
    ("zalo_bot", 2000),  # Zalo cuts at 2,000: 2,000 + 1,000
    ("web", 1800),  # pasted in two halves on the web chat
])
async def test_a_paste_within_the_limit_is_stored_whole(channel, cut, settings, clock, db):
    text = paste(3000)
    async with joining(settings, clock, db)(channel) as chat:
        await walk_to_description(chat, clock)
        before = len(seen(chat))
        await send_parts(chat, [text] if cut is None else [text[:cut], text[cut:]])
        assert len(seen(chat)) == before
        await window_passes(chat, clock)
        [answer] = seen(chat)[before:]
        assert NEXT in answer and "⚠️" not in answer, answer
    data = await state(db)
    assert data["draft"]["answers"]["description"] == text and data["held"] is None


async def test_a_button_pressed_within_the_window_answers_the_held_text_first(
        settings, clock, db):
    """Anything else from the chat ends the wait: the held text is answered, then the press."""
    async with joining(settings, clock, db)("telegram") as chat:
        await walk_to_description(chat, clock)
        await chat.text("Các hộ thay nhau đánh kẻng mỗi tối.")
        await chat.driver.command("trogiup")  # before the window has passed
        shown = seen(chat)
        assert NEXT in shown[-1] and "Các hộ thay nhau" not in shown[-1], shown[-2:]
        await clock.pass_time(seconds=WINDOW)  # the timer finds nothing left to answer
        assert seen(chat) == shown
    answers = (await state(db))["draft"]["answers"]
    assert answers["description"] == "Các hộ thay nhau đánh kẻng mỗi tối."
