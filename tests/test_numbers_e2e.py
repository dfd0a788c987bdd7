"""Numbers and money as people type them, end to end on Telegram, Zalo Bot and the web chat: a
date, a time or a phone number where a count is asked is refused by name and asked again; a sum
written "200 triệu", "1,5 tỷ", "2.500.000" or in words is stored in đồng and said back in words."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Conversation, Practice
from tests.support.channels import channel_chat, walk_practice_until
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE

__all__ = ["channel_chat"]  # the fixture, parametrised over the channels


async def stored_answer(db, field: str) -> object:  # noqa: ANN001
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
    return conversation.data["draft"]["answers"].get(field)


@pytest.mark.parametrize(("typed", "named"), [
    ("15/03/2026", "ngày tháng"), ("21h30", "giờ"), ("0912 345 678", "số điện thoại")])
async def test_a_date_time_or_phone_where_a_count_is_asked_is_refused_by_name(
        channel_chat, db, typed, named):
    async with channel_chat() as chat:
        await walk_practice_until(chat, "contribution_workdays")
        question = chat.last_text
        await chat.text(typed)
        answer = chat.last_text
        assert f"Đây có vẻ là {named}" in answer and "Số ngày công" in answer, answer
        assert await stored_answer(db, "contribution_workdays") is None
        await chat.text("120 ngày công")
        assert await stored_answer(db, "contribution_workdays") == 120
        assert "Số ngày công" in question


@pytest.mark.parametrize(("typed", "stored", "words"), [
    ("200 triệu", 200_000_000, "hai trăm triệu đồng"),
    ("1,5 tỷ", 1_500_000_000, "một tỷ năm trăm triệu đồng"),
    ("2.500.000", 2_500_000, "hai triệu năm trăm nghìn đồng"),
    ("hai trăm triệu đồng", 200_000_000, "hai trăm triệu đồng"),
])
async def test_money_typed_as_people_write_it_is_stored_in_dong(channel_chat, db, typed, stored,
                                                                  words):
    async with channel_chat() as chat:
        await walk_practice_until(chat, "contribution_money_vnd")
        await chat.text(typed)
        assert f"Đã hiểu: {stored:,} đồng ({words})".replace(",", ".") in chat.last_text
        rest = COMPLETE_PRACTICE[[s.field for s in COMPLETE_PRACTICE].index(
            "contribution_money_vnd") + 1:]
        await walk(chat, rest)
        assert f"{stored:,} đồng ({words})".replace(",", ".") in chat.last_text  # the summary
        await chat.press("Gửi")
        assert "MH-2026-000001" in chat.last_text
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
    assert practice.contribution_money_vnd == stored

