"""A flow that fails half-way: the person is told, nothing is stored, and they can try again."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Feedback
from storage.repositories import feedback as feedback_repo
from tests.support.chat_driver import walk
from tests.support.officials import feedback_walk


async def test_a_failed_write_is_answered_and_the_answers_are_kept(make_chat, db, monkeypatch,
                                                                    caplog):
    real = feedback_repo.create_feedback

    async def failing(session, *, feedback, photos, year):  # noqa: ANN001, ANN202
        feedback.text = None  # NOT NULL: the INSERT fails inside the flush, on any database
        return await real(session, feedback=feedback, photos=photos, year=year)

    chat = make_chat()
    await chat.command("phananh")
    await walk(chat, feedback_walk(photos=0))
    monkeypatch.setattr(feedback_repo, "create_feedback", failing)
    await chat.press("Gửi")
    assert "có lỗi khi xử lý" in chat.last.text
    assert any(r.message == "update failed" and r.flow == "feedback" for r in caplog.records)

    monkeypatch.setattr(feedback_repo, "create_feedback", real)
    await chat.command("phananh")  # the draft is kept: continue it, and send it again
    await chat.press("▶️ Tiếp tục")
    await chat.press("Gửi")
    assert "Mã tiếp nhận: PA-2026-" in chat.last.text  # PostgreSQL does not reuse the failed id
    async with db.session() as session:
        assert len((await session.exec(select(Feedback))).all()) == 1
