"""Manners every flow shares: cancel, back, language, drafts that survive, updates once."""

from __future__ import annotations

from sqlmodel import select

from handlers.engine import Engine
from handlers.events import TextEvent
from storage.models import Conversation, Practice
from tests.support.engine_chat import EngineChat


async def test_cancel_asks_then_discards(make_chat, db):
    chat = make_chat()
    await chat.command("mohinh")
    await chat.press("Cá nhân")
    await chat.command("huy")
    assert "Huỷ và xoá bản nháp" in chat.last.text
    await chat.text("có")
    assert "Đã huỷ bản nháp" in chat.last.text
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
    assert conversation.flow is None and conversation.data["draft"]["answers"] == {}


async def test_cancel_declined_keeps_everything(make_chat):
    chat = make_chat()
    await chat.command("submit")
    await chat.press("Cá nhân")
    await chat.command("cancel")
    await chat.press("Tiếp tục")
    assert "Bạn là ai?" in chat.last.text
    await chat.command("cancel")
    await chat.text("hmm")
    assert "Chưa rõ ý bạn" in chat.last.text


async def test_cancel_with_nothing_to_cancel(make_chat):
    chat = make_chat()
    await chat.command("huy")
    assert "Không có việc gì" in chat.last.text


async def test_back_returns_to_previous_question_and_keeps_answer(make_chat):
    chat = make_chat()
    await chat.command("submit")
    await chat.press("Tập thể")
    await chat.press("Chi đoàn")
    await chat.command("back")
    assert "Tập thể thuộc loại nào?" in chat.last.text
    await chat.command("back")
    await chat.command("back")
    assert "câu hỏi đầu tiên" in chat.last.text
    await chat.press("Cá nhân")
    assert "Bạn là ai?" in chat.last.text


async def test_language_switch_to_english_and_back(make_chat):
    chat = make_chat()
    await chat.command("mohinh")
    await chat.command("language")
    await chat.press("English")
    assert "Language set to English" in chat.last.text
    assert "Who is submitting" in chat.last.text
    await chat.command("ngonngu")
    await chat.press("Tiếng Việt")
    assert "Ai gửi mô hình này?" in chat.last.text


async def test_draft_survives_a_restart(make_chat, db, services):
    chat = make_chat()
    await chat.command("submit")
    await chat.press("Tập thể")
    await chat.press("Thôn")
    # A new engine on the same database, as after a crash or a deploy.
    chat.engine = Engine(db, services)
    await chat.text("Thôn Tây")
    assert "Mô hình thuộc lĩnh vực nào?" in chat.last.text


async def test_coming_back_days_later_offers_continue_or_restart(make_chat, clock):
    chat = make_chat()
    await chat.command("submit")
    await chat.press("Tập thể")
    clock.advance(days=3)
    await chat.press_raw("x", "y")
    assert "đang làm dở" in chat.last.text
    await chat.press("Tiếp tục")
    assert "Tập thể thuộc loại nào?" in chat.last.text
    clock.advance(days=3)
    await chat.text("hello")
    await chat.press("Làm lại từ đầu")
    assert "Ai gửi mô hình này?" in chat.last.text


async def test_submit_again_with_a_draft_offers_to_continue(make_chat):
    chat = make_chat()
    await chat.command("submit")
    await chat.press("Tập thể")
    await chat.command("mohinh")
    assert "Tiếp tục hay làm lại" in chat.last.text
    await chat.press("Tiếp tục")
    assert "Tập thể thuộc loại nào?" in chat.last.text


async def test_same_update_twice_is_processed_once(make_chat, engine):
    chat: EngineChat = make_chat()
    await chat.command("submit")
    event = TextEvent(chat.sender, text="1", update_id="dup-1")
    first = await engine.handle(event)
    second = await engine.handle(event)
    assert first and second == []


async def test_unknown_command_mid_flow_repeats_question(make_chat):
    chat = make_chat()
    await chat.command("submit")
    await chat.command("xyz")
    assert "Không có lệnh /xyz" in chat.last.text and "Ai gửi mô hình này?" in chat.last.text


async def test_help_mid_flow_then_same_question(make_chat):
    chat = make_chat()
    await chat.command("submit")
    await chat.command("help")
    assert "/mohinh" in chat.last.text and "Ai gửi mô hình này?" in chat.last.text


async def test_typed_number_picks_an_option(make_chat, db):
    chat = make_chat()
    await chat.command("submit")
    await chat.text("2")
    assert "Bạn là ai?" in chat.last.text
    await chat.text("nguoi dan")
    assert "Tên tập thể hoặc họ tên" in chat.last.text
    async with db.session() as session:
        answers = (await session.exec(select(Conversation))).one().data["draft"]["answers"]
    assert answers == {"submitter_kind": "individual", "individual_type": "citizen"}
    async with db.session() as session:
        assert (await session.exec(select(Practice))).all() == []
