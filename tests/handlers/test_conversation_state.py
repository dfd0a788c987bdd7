"""The conversation state is typed (handlers/state.py) and kept in the conversation row. A row
saved before the types (every key at the top level) is moved into place and the person goes
on where they were; a row no model reads starts them afresh, told so, instead of failing at
every message."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import select

from handlers.replies import TextReply
from storage.models import Conversation, PracticeAssessment
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE, SELF_ASSESSMENT


async def _row(db) -> Conversation:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Conversation))).one()


async def _store(db, data: dict[str, Any], *, flow: str | None,  # noqa: ANN001
                 step: str | None) -> None:
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
        conversation.data, conversation.flow, conversation.step = data, flow, step
        flag_modified(conversation, "data")
        session.add(conversation)
        await session.commit()


async def test_a_draft_saved_in_the_old_shape_goes_on_where_it_was(make_chat, db) -> None:
    chat = make_chat()
    await chat.command("mohinh")
    await chat.press("Tập thể")
    asked = chat.last.text
    row = await _row(db)
    grouped = row.data
    # What the code before the typed state stored at this point: every key at the top level.
    old = {"seq": grouped["seq"], **grouped["question"],
           "answers": grouped["draft"]["answers"], "history": grouped["draft"]["history"],
           "scratch": {}}
    assert old["answers"] == {"submitter_kind": "collective"} and old["token"]
    await _store(db, old, flow=row.flow, step=row.step)

    replies = await chat.press("Chi đoàn")  # a button of the question asked before the move

    said = [reply.text for reply in replies if isinstance(reply, TextReply)]
    assert said and said[-1] != asked and not any("phiên bản cũ" in text for text in said)
    after = await _row(db)
    assert after.flow == row.flow and after.step != row.step
    assert after.data["version"] == 2
    assert after.data["draft"]["answers"]["submitter_kind"] == "collective"
    assert len(after.data["draft"]["answers"]) == 2  # the old answer and the new one


async def test_a_draft_no_model_reads_restarts_with_a_friendly_word(make_chat, db) -> None:
    chat = make_chat()
    await chat.command("mohinh")
    await chat.press("Cá nhân")
    row = await _row(db)
    # A draft of a flow that changed since it was saved: a key no model has.
    await _store(db, {"answers": {"submitter_kind": "individual"}, "wizard_page": 3},
                 flow=row.flow, step=row.step)

    replies = await chat.text("Nguyễn Văn An")

    said = [reply.text for reply in replies if isinstance(reply, TextReply)]
    assert "phiên bản cũ" in said[0] and "bắt đầu lại" in said[0]
    assert "Bạn muốn làm gì?" in said[-1]  # the menu, to start again from
    after = await _row(db)
    assert after.flow is None and after.step is None
    assert after.data["version"] == 2 and after.data["draft"]["answers"] == {}

    await chat.command("mohinh")  # and starting again works
    assert any(option.label.endswith("Cá nhân") for option in chat.last.options)


async def test_a_self_assessment_kept_among_the_answers_goes_on_where_it_was(
        make_chat, db) -> None:
    chat = make_chat()
    await chat.command("mohinh")
    await walk(chat, COMPLETE_PRACTICE[:len(COMPLETE_PRACTICE) - len(SELF_ASSESSMENT) + 2])
    assert "📋 Tự đánh giá 3/5" in chat.last.text, chat.last.text
    row = await _row(db)
    typed = row.data["draft"]["self_assessment"]
    assert typed["scores"] == {"mobilised": 4, "people_roles": 5}
    # The criteria branch's drafts kept the self-assessment among the form's answers.
    draft = {key: value for key, value in row.data["draft"].items() if key != "self_assessment"}
    draft["answers"] = {**draft["answers"], "self_assessment": {
        "version": typed["version"], "criteria": typed["criteria"], "scores": typed["scores"]}}
    await _store(db, {**row.data, "draft": draft}, flow=row.flow, step=row.step)

    await walk(chat, SELF_ASSESSMENT[2:])

    assert "📋 Tự đánh giá theo tiêu chí:" in chat.last.text, chat.last.text
    after = await _row(db)
    assert "self_assessment" not in after.data["draft"]["answers"]
    assert after.data["draft"]["self_assessment"]["scores"] == {
        "mobilised": 4, "people_roles": 5, "six_clear": True, "lasting": 4,
        "months_running": 8}
    await chat.press("Gửi")
    async with db.session() as session:
        stored = (await session.exec(select(PracticeAssessment))).one()
    assert stored.scores["people_roles"] == 5 and stored.scores["months_running"] == 8
