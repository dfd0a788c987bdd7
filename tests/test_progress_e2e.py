"""A long form says how far along the person is, on Telegram, Zalo Bot and the web chat: the
start gives the number of questions and the time it takes; each question shows "bước N/M",
counting only the questions that apply to this person."""

from __future__ import annotations

import re

from handlers.practice_form import PRACTICE_FORM
from tests.support.channels import channel_chat
from tests.support.chat_driver import walk
from tests.support.practice_walk import COMPLETE_PRACTICE

__all__ = ["channel_chat"]  # the fixture, parametrised over the channels

STEP = re.compile(r"bước (\d+)/(\d+)")


async def test_each_question_of_the_practice_form_says_where_the_person_is(channel_chat):
    # A collective answers the collective's questions, not the individual's: one of the two.
    applying = len(PRACTICE_FORM.fields) - 1
    seen: list[tuple[int, int]] = []
    async with channel_chat() as chat:
        await chat.open_menu()
        await chat.press("Gửi mô hình")
        first = chat.last_text
        assert f"Khoảng {applying} câu, chừng {round(applying / 3)} phút" in first
        for step in COMPLETE_PRACTICE:
            found = STEP.search(chat.last_text)
            if found and (not seen or seen[-1] != (int(found[1]), int(found[2]))):
                seen.append((int(found[1]), int(found[2])))
            await walk(chat, [step])
    assert seen[0] == (1, applying)
    assert all(total == applying for _, total in seen)
    assert [n for n, _ in seen] == sorted({n for n, _ in seen})  # only ever forward
    assert seen[-1] == (applying, applying)  # the photos, last
