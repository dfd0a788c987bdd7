"""The practice flow through the engine with neutral events: every step, every bad input."""

from __future__ import annotations

import pytest
from sqlmodel import select

from handlers.replies import TextReply
from storage.models import Conversation, Practice, PracticePhoto
from tests.support.chat_driver import walk
from tests.support.engine_chat import EngineChat
from tests.support.practice_walk import COMPLETE_PRACTICE, QUESTIONS, Step


async def test_complete_submission_is_stored_with_receipt(make_chat, db, services):
    chat = make_chat()
    await chat.command("mohinh")
    assert "Gửi mô hình" in chat.last.text
    await walk(chat, COMPLETE_PRACTICE)
    summary = chat.last.text
    assert "Tiếng kẻng an ninh thôn" in summary
    assert "Phường Thanh Xuân, Thành phố Hà Nội" in summary
    assert "15.000.000" in summary and "3 ảnh" in summary
    await chat.press("Gửi")
    receipt = chat.last.text
    assert "MH-2026-000001" in receipt

    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        photos = (await session.exec(select(PracticePhoto))).all()
        conversation = (await session.exec(select(Conversation))).one()
    assert practice.code == "MH-2026-000001"
    assert practice.submitter_kind == "collective" and practice.submitter_type == "village"
    assert practice.field == "culture_society"
    assert practice.people_mobilised == 250 and practice.people_groups is None
    assert practice.contribution_money_vnd == 15_000_000
    assert practice.commune_code == "00367" and practice.province_code == "01"
    assert (practice.latitude, practice.longitude) == (21.0008, 105.8123)
    assert len(photos) == 3
    assert all(services.media.absolute(p.path).exists() for p in photos)
    assert conversation.flow is None

    await chat.command("my")
    assert "MH-2026-000001" in chat.last.text and "chờ xem xét" in chat.last.text


async def test_the_largest_contribution_the_form_accepts_is_stored(make_chat, db):
    """1.000 tỷ đồng: beyond a 32-bit column (PostgreSQL's INTEGER), so stored as BIGINT."""
    chat = make_chat()
    await chat.command("mohinh")
    for step in COMPLETE_PRACTICE:
        if step.field == "contribution_money_vnd":
            step = Step(step.field, "text", "1.000.000.000.000")
        await walk(chat, [step])
    await chat.press("Gửi")
    assert "MH-2026-000001" in chat.last.text

    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
    assert practice.contribution_money_vnd == 1_000_000_000_000


async def walk_to(chat: EngineChat, index: int) -> None:
    await chat.command("submit")
    await walk(chat, COMPLETE_PRACTICE[:index])


BAD_INPUTS = [
    ("sticker", lambda c: c.unsupported("sticker"), "nhãn dán"),
    ("voice", lambda c: c.unsupported("voice"), "thoại"),
    ("empty", lambda c: c.text("   "), None),
    ("stale button", lambda c: c.press_raw("1", "collective"), "câu hỏi cũ"),
    ("forged button", lambda c: c.press_raw("zz", "__done__"), "câu hỏi cũ"),
    ("other flow's command", lambda c: c.command("submit"), None),
    ("huge text", lambda c: c.text("x" * 4096), None),
]

# One index per distinct question of the walk (the photo step and the commune pick included).
STEP_INDEXES = [i for i, s in enumerate(COMPLETE_PRACTICE) if s.kind != "photos"]


@pytest.mark.parametrize("index", STEP_INDEXES,
                         ids=[f"{i}-{COMPLETE_PRACTICE[i].field}" for i in STEP_INDEXES])
async def test_bad_input_at_every_step_repeats_the_question(make_chat, db, index):
    chat = make_chat()
    await walk_to(chat, index)
    step = COMPLETE_PRACTICE[index]
    question = chat.last
    async with db.session() as session:
        before = (await session.exec(select(Conversation))).one().data["draft"]["answers"]

    for name, send, expected in BAD_INPUTS:
        if name == "other flow's command":
            continue  # covered below: /submit mid-flow offers to continue the draft
        replies = await send(chat)
        if name == "huge text" and step.kind == "text" and step.field not in (
            "people_mobilised", "organisations_taking_part", "contribution_workdays",
            "contribution_money_vnd", "commune", "criterion:months_running"):
            assert "vượt quá" in chat.last.text, (name, chat.last.text)
            continue
        if name == "huge text" and step.field == "photos":
            pass
        reply = chat.last
        assert replies, name
        assert reply.text.startswith("⚠️"), (name, reply.text)
        if expected:
            assert expected in reply.text, (name, reply.text)
        assert QUESTIONS[step.field].lower() in reply.text.lower() or step.field in (
            "commune",) , (name, reply.text)
        assert {o.value for o in reply.options} == {o.value for o in question.options}, name
        for text_reply in replies:
            assert isinstance(text_reply, TextReply) and len(text_reply.text) <= 4096

    async with db.session() as session:
        after = (await session.exec(select(Conversation))).one().data["draft"]["answers"]
    assert after == before

    # ...and the flow still completes from here.
    await walk(chat, COMPLETE_PRACTICE[index:])
    await chat.press("Gửi")
    assert "MH-2026-" in chat.last.text


async def test_with_no_official_anywhere_the_practice_receipt_promises_no_review(make_chat):
    chat = make_chat()
    await chat.command("mohinh")
    await walk(chat, COMPLETE_PRACTICE)
    await chat.press("Gửi")
    assert "Mã tiếp nhận: MH-2026-000001" in chat.last.text
    assert "Hiện chưa có cán bộ dân vận nào nhận mô hình ở nơi này" in chat.last.text
    assert "sẽ xem xét và báo lại" not in chat.last.text
