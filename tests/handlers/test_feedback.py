"""The feedback flow through the engine with neutral events: every step, every bad input."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import build_services
from handlers.engine import Engine
from handlers.events import Sender
from handlers.registry import build_features
from handlers.replies import TextReply
from storage.models import Feedback, FeedbackEvent, FeedbackPhoto
from tests.support.chat_driver import walk
from tests.support.engine_chat import EngineChat
from tests.support.officials import (
    FEEDBACK_QUESTIONS,
    HOAN_KIEM,
    KEEP_PRIVATE,
    PUBLISH,
    Step,
    feedback_walk,
)


async def send_feedback(chat: EngineChat, steps: list[Step]) -> str:
    await chat.command("phananh")
    await walk(chat, steps)
    await chat.press("Gửi")
    return chat.last.text


async def test_anonymous_feedback_is_stored_with_a_receipt(make_chat, db):
    chat = make_chat(name="Nguyễn Thị Hoa")
    await chat.command("phananh")
    assert "Gửi phản ánh" in chat.transcript[-1].text
    await walk(chat, feedback_walk(photos=2))
    summary = chat.last.text
    assert "Đèn đường ngõ 12" in summary and "2 ảnh" in summary
    assert "Phường Hoàn Kiếm, Thành phố Hà Nội" in summary and "Gửi ẩn danh" in summary
    await chat.press("Gửi")
    assert "PA-2026-000001" in chat.last.text and "ẩn danh" in chat.last.text

    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
        photos = (await session.exec(select(FeedbackPhoto))).all()
        events = (await session.exec(select(FeedbackEvent))).all()
    assert feedback.code == "PA-2026-000001" and feedback.status == "new"
    assert feedback.category == "infrastructure" and feedback.anonymous
    assert feedback.reporter_name is None and feedback.reporter_phone is None
    assert feedback.commune_code == feedback.assigned_unit_code == HOAN_KIEM
    assert feedback.province_code == "01"
    assert (feedback.latitude, feedback.longitude) == (21.0341, 105.8521)
    assert len(photos) == 2 and [e.kind for e in events] == ["created"]
    assert events[0].actor_id is None  # anonymous: the history holds no link to the sender


async def test_named_feedback_keeps_name_and_shared_phone(make_chat, db):
    chat = make_chat(name="Trần Văn Nam")
    receipt = await send_feedback(chat, feedback_walk(anonymous=False, photos=0,
                                                      phone="0912 345 678"))
    assert "PA-2026-000001" in receipt
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
    assert not feedback.anonymous
    assert (feedback.reporter_name, feedback.reporter_phone) == ("Trần Văn Nam", "+84912345678")


async def test_phone_is_only_asked_for_named_feedback(make_chat):
    chat = make_chat()
    await chat.command("phananh")
    await walk(chat, feedback_walk(anonymous=False, photos=0)[:-2])
    assert "Để lại số điện thoại" in chat.last.text
    await chat.command("back")
    await chat.press("Gửi ẩn danh")
    await chat.press(KEEP_PRIVATE)
    assert "Kiểm tra lại phản ánh" in chat.last.text
    assert "Số điện thoại" not in chat.last.text


async def test_the_last_commune_is_offered_first(make_chat, db):
    chat = make_chat()
    await send_feedback(chat, feedback_walk(photos=0))
    await chat.command("phananh")
    await walk(chat, feedback_walk(photos=0)[:4])
    question = chat.last
    assert "xã, phường, đặc khu" in question.text
    assert [o.value for o in question.options] == [HOAN_KIEM]
    await chat.press("Phường Hoàn Kiếm, Thành phố Hà Nội")
    assert "ghi tên hay gửi ẩn danh" in chat.last.text
    await chat.command("back")
    await chat.text("ben thanh")  # typing another name still searches
    assert "Chọn đúng xã" in chat.last.text


async def test_categories_are_configurable(db, settings, clock):
    services = build_services(settings, clock)
    services.features = build_features(feedback_categories=("environment", "other"))
    chat = EngineChat(Engine(db, services), services.media,
                      Sender(channel="telegram", external_id="5", chat_id="5"))
    await chat.command("feedback")
    assert [o.value for o in chat.last.options] == ["environment", "other"]


async def test_cancel_discards_the_draft(make_chat, db):
    chat = make_chat()
    await chat.command("phananh")
    await chat.press("Môi trường, vệ sinh")
    await chat.command("huy")
    await chat.text("có")
    assert "Đã huỷ bản nháp" in chat.last.text
    async with db.session() as session:
        assert (await session.exec(select(Feedback))).all() == []


BAD_INPUTS = [
    ("sticker", lambda c: c.unsupported("sticker"), "nhãn dán"),
    ("voice", lambda c: c.unsupported("voice"), "thoại"),
    ("blank", lambda c: c.text("   "), None),
    ("stale button", lambda c: c.press_raw("q1", "infrastructure"), "câu hỏi cũ"),
    ("forged button", lambda c: c.press_raw("zz", "__done__"), "câu hỏi cũ"),
    ("huge text", lambda c: c.text("x" * 4096), None),
]
WALK = feedback_walk(anonymous=False, photos=1, phone="0912345678")
STEP_INDEXES = [i for i, s in enumerate(WALK) if s.kind != "photos"]


@pytest.mark.parametrize("index", STEP_INDEXES,
                         ids=[f"{i}-{WALK[i].field}" for i in STEP_INDEXES])
async def test_bad_input_at_every_step_repeats_the_question(make_chat, db, index):
    chat = make_chat()
    await chat.command("phananh")
    await walk(chat, WALK[:index])
    step = WALK[index]
    question = chat.last
    async with db.session() as session:
        from storage.models import Conversation

        before = (await session.exec(select(Conversation))).one().data["draft"]["answers"]
    for name, send, expected in BAD_INPUTS:
        replies = await send(chat)
        reply = chat.last
        assert replies, name
        if name == "huge text" and step.kind == "text" and step.field == "text":
            assert "vượt quá" in reply.text, reply.text
            continue
        assert reply.text.startswith("⚠️"), (name, reply.text)
        if expected:
            assert expected in reply.text, (name, reply.text)
        assert FEEDBACK_QUESTIONS[step.field].lower() in reply.text.lower(), (name, reply.text)
        assert {o.value for o in reply.options} == {o.value for o in question.options}, name
        assert all(isinstance(r, TextReply) and len(r.text) <= 4096 for r in replies)
    async with db.session() as session:
        from storage.models import Conversation

        assert (await session.exec(select(Conversation))).one().data["draft"]["answers"] == before
    await walk(chat, WALK[index:])
    await chat.press("Gửi")
    assert "PA-2026-" in chat.last.text


async def test_nul_characters_are_dropped_from_what_people_send(make_chat, db):
    """PostgreSQL cannot store U+0000 in text (SQLite can); nobody means to send it."""
    chat = make_chat(name="Nguyễn\x00 Hoa")
    await chat.command("phananh")
    for step in feedback_walk(photos=0, anonymous=False):
        if step.field == "text":
            step = Step("text", "text", "Đèn đường\x00 ngõ 12 hỏng hai tuần nay, tối nguy hiểm.")
        await walk(chat, [step])
    await chat.press("Gửi")
    assert "PA-2026-000001" in chat.last.text

    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
    assert feedback.text == "Đèn đường ngõ 12 hỏng hai tuần nay, tối nguy hiểm."
    assert feedback.reporter_name == "Nguyễn Hoa"


@pytest.mark.parametrize(("choice", "kept"), [("Đúng, giữ cả hai", True),
                                               ("Bỏ vị trí đã gửi", False)])
async def test_a_commune_far_from_the_pin_sent_before_it_is_questioned(make_chat, db, choice,
                                                                        kept):
    """Feedback asks the pin before the commune: the check happens at the commune."""
    chat = make_chat()
    await chat.command("phananh")
    steps = feedback_walk(photos=0, pin=(10.7769, 106.7009))  # a Sài Gòn pin, Hoàn Kiếm chosen
    at_commune = [step.field for step in steps].index("commune")
    await walk(chat, steps[:at_commune + 1])
    assert "Vị trí này có vẻ không thuộc Thành phố Hà Nội — đúng không?" in chat.last.text
    await chat.press(choice)
    assert "Đã chọn: Phường Hoàn Kiếm, Thành phố Hà Nội" in chat.last.text
    await walk(chat, steps[at_commune + 1:])
    await chat.press("Gửi")
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
    assert feedback.commune_code == HOAN_KIEM
    assert (feedback.latitude is not None) is kept


async def test_publishing_is_the_senders_choice_no_offered_first(make_chat, db):
    chat = make_chat()
    await chat.command("phananh")
    await walk(chat, feedback_walk(photos=0)[:-1])
    question = chat.last
    assert FEEDBACK_QUESTIONS["publish"] in question.text
    assert "không kèm tên, số điện thoại" in question.text
    assert [option.value for option in question.options] == ["no", "yes"]
    await chat.press(PUBLISH)
    assert f"Công khai: 🌐 {PUBLISH}" in chat.last.text  # on the summary, to check
    await chat.press("Gửi")
    async with db.session() as session:
        [feedback] = (await session.exec(select(Feedback))).all()
    assert feedback.publish is True
