"""Bad input on Zalo at every step of the practice flow: a sticker, a voice note, an unsupported
message, an out-of-range number, a 3,000-character text. Each gets a clear answer and the same
question again (with its numbered choices), nothing is lost, nothing exceeds Zalo's 2,000
characters, and no error is logged."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from handlers.practice_form import PRACTICE_FORM
from storage.models import Conversation, Practice
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support.chat_driver import walk
from tests.support.officials import FEEDBACK_QUESTIONS, feedback_walk
from tests.support.practice_walk import COMPLETE_PRACTICE, QUESTIONS
from tests.zalo_bot.harness import (
    ZaloBotChat,
    ZaloDriver,
    needs_feedback,
    numbered_options,
    running_app,
)

HUGE = "ồ" * 3000
MAX_LENGTH = {spec.name: spec.max_length for spec in PRACTICE_FORM.fields}


@pytest.fixture
async def bot(settings, clock):
    async with FakeZaloBot() as fake:
        user = fake.user("9001", "Minh")
        async with running_app(settings, clock, fake) as app:
            yield ZaloDriver(app, fake, user)
        assert fake.errors == [], fake.errors
        assert all(1 <= len(m.text or "") <= 2000 for m in user.inbox)


async def answers(db) -> dict:  # noqa: ANN001
    async with db.session() as session:
        return dict((await session.exec(select(Conversation))).one().data["draft"]["answers"])


def bad_inputs(bot: ZaloDriver, field: str, numbered: bool) -> list:
    cases = [
        ("sticker", bot.sticker, "nhãn dán"),
        ("voice", bot.voice, "thoại"),
        ("unsupported", bot.unsupported, "chưa hiểu loại tin nhắn"),
    ]
    if numbered:
        cases.append(("out-of-range number", lambda: bot.text("99"), None))
    if MAX_LENGTH.get(field, 0) < len(HUGE):  # the description takes up to 3,000
        cases.append(("3,000 characters", lambda: bot.text(HUGE), None))
    return cases


async def test_every_step_survives_every_bad_input(bot: ZaloDriver, db, caplog):
    caplog.set_level(logging.INFO)
    await bot.command("mohinh")
    for step in COMPLETE_PRACTICE:
        question = bot.last
        choices = numbered_options(question)
        before = await answers(db)
        for name, send, expected in bad_inputs(bot, step.field, bool(choices)):
            replies = await send()
            assert len(replies) == 1, (step.field, name, [r.text for r in replies])
            reply = replies[0].text
            assert reply.startswith("⚠️"), (step.field, name, reply)
            if expected:
                assert expected in reply, (step.field, name, reply)
            assert QUESTIONS[step.field].lower() in reply.lower() or (
                "Chọn đúng xã" in reply), (step.field, name, reply)
            assert numbered_options(replies[0]) == choices, (step.field, name)
        assert await answers(db) == before, step.field
        await walk(ZaloBotChat(bot), [step])
    await bot.pick("Gửi")
    assert "MH-2026-000001" in bot.last.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


@needs_feedback
async def test_every_feedback_step_survives_every_bad_input(bot: ZaloDriver, db):
    """The same for the feedback form, whose phone question has no contact button on Zalo."""
    await bot.command("phananh")
    for step in feedback_walk(anonymous=False, phone="0912 345 678", photos=1):
        question = bot.last
        choices = numbered_options(question)
        before = await answers(db)
        cases = bad_inputs(bot, step.field, bool(choices))
        if step.field == "phone":
            assert "📞 Gõ số điện thoại" in question.text
            cases.append(("not a phone number", lambda: bot.text("12345"), "chưa đúng"))
        for name, send, expected in cases:
            [reply] = await send()
            assert reply.text.startswith("⚠️"), (step.field, name, reply.text)
            assert expected is None or expected in reply.text, (step.field, name, reply.text)
            assert FEEDBACK_QUESTIONS[step.field].lower() in reply.text.lower(), (
                step.field, name, reply.text)
            assert numbered_options(reply) == choices, (step.field, name)
        assert await answers(db) == before, step.field
        await walk(ZaloBotChat(bot), [step])
    await bot.pick("Gửi")
    assert "PA-2026-000001" in bot.last.text


async def test_the_longest_answers_still_fit_zalo(bot: ZaloDriver, db):
    """Every text answer at its limit (the description 3,000 characters): the summary goes out
    in pieces of at most 2,000 characters, cut cleanly, and the practice is stored whole."""
    await bot.command("mohinh")
    for step in COMPLETE_PRACTICE:
        if step.kind == "text" and MAX_LENGTH.get(step.field, 0) >= 200 and \
                step.field not in ("people_mobilised", "organisations_taking_part",
                                   "contribution_workdays",
                                   "contribution_money_vnd", "commune"):
            await bot.text("ồ " * (MAX_LENGTH[step.field] // 2))
            continue
        await walk(ZaloBotChat(bot), [step])
    summary = [m for m in bot.user.inbox if "Kiểm tra lại mô hình" in (m.text or "")][-1]
    parts = bot.user.inbox[bot.user.inbox.index(summary):]
    assert len(parts) >= 3 and all(len(p.text) <= 2000 for p in parts)
    assert "1. ✅ Gửi" in parts[-1].text
    await bot.pick("Gửi")
    assert "MH-2026-" in bot.last.text
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
    assert len(practice.description) == MAX_LENGTH["description"] - 1
