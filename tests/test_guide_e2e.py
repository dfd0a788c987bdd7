"""The movement's guide in the bot, on every channel (the real adapters against their fakes over
HTTP, the web chat against the real server): the menu's "❓ Hướng dẫn", /huongdan and /guide
open short pages; buttons (typed numbers on Zalo Bot) and `/huongdan N` move between them; the
calendar page reads the calendar rows and follows the clock; reading the guide in the middle of
a practice keeps every answer given."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from handlers import guide
from handlers.i18n import Translator
from storage.models import Conversation
from tests.support.channels import channel_chat, walk_practice_until

__all__ = ["channel_chat"]  # the fixture, parametrised over the channels

TITLES = ["Mô hình “Dân vận khéo” là gì?", "Bốn lĩnh vực", "Mục tiêu “6 rõ”",
          "Tiêu chí công nhận", "Lịch đánh giá, tôn vinh", "Cách gửi mô hình", "Hỏi đáp"]


async def test_the_menu_button_opens_the_guide_and_buttons_turn_its_pages(channel_chat):
    async with channel_chat() as chat:
        await chat.open_menu()
        await chat.press("❓ Hướng dẫn")
        first = chat.last_text
        assert "📖 Hướng dẫn · Trang 1/7" in first and TITLES[0] in first
        assert "Không có lệnh" not in first
        assert "dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, dân thụ hưởng" in first
        await chat.press("Trang sau ➡️")
        assert "Trang 2/7" in chat.last_text and "Quốc phòng, an ninh" in chat.last_text
        await chat.press("Trang sau ➡️")
        assert "Trang 3/7" in chat.last_text and "Rõ thẩm quyền" in chat.last_text
        await chat.press("⬅️ Trang trước")
        assert "Trang 2/7" in chat.last_text
        await chat.command("huongdan", "6")
        assert "Trang 6/7" in chat.last_text and "/mohinh" in chat.last_text
        await chat.press("📑 Mục lục")
        assert "Trang 1/7" in chat.last_text


async def test_every_page_by_typed_command_fits_one_screen(channel_chat):
    async with channel_chat() as chat:
        await chat.open_menu()
        for number, title in enumerate(TITLES, start=1):
            await chat.command("huongdan", str(number))
            text = chat.last_text
            assert f"Trang {number}/7\n{title}" in text, text
            assert len(text) <= guide.MAX_PAGE_CHARS + 150, (number, len(text))  # + buttons
            if number < 7:
                assert f"/huongdan {number + 1}" in text
        assert "Tiêu chí cụ thể: do cấp uỷ mỗi cấp ban hành" in (await _page(chat, 4))
        await chat.command("guide", "9")
        assert "Không có trang «9». Hướng dẫn có 7 trang" in chat.last_text
        assert "Trang 1/7" in chat.last_text


async def _page(chat, number: int) -> str:  # noqa: ANN001
    await chat.command("huongdan", str(number))
    return chat.last_text


async def test_the_calendar_page_reads_the_calendar_rows_and_follows_the_clock(
        channel_chat, clock):  # noqa: ANN001
    async with channel_chat() as chat:
        await chat.open_menu()
        calendar = await _page(chat, 5)
        assert "• 30/09/2027: Đánh giá, công nhận điển hình · Cấp cơ sở" in calendar
        assert "• 15/10/2028: Biểu dương, tôn vinh · Cấp tỉnh" in calendar
        assert "• 15/10/2030: Biểu dương, tôn vinh · Cấp Trung ương" in calendar
        clock.advance(timedelta(days=400))  # into 2028: the 2027 dates are past
        calendar = await _page(chat, 5)
        assert "30/09/2027" not in calendar
        assert "• 30/09/2028: Đánh giá, công nhận điển hình · Cấp cơ sở" in calendar


async def test_reading_the_guide_mid_practice_keeps_the_draft(channel_chat, db):  # noqa: ANN001
    async with channel_chat() as chat:
        await walk_practice_until(chat, "title")
        await chat.command("huongdan", "3")
        assert "Tên mô hình, cách làm?" in chat.last_text  # the question is asked again
        async with db.session() as session:
            conversation = (await session.exec(select(Conversation))).one()
        assert conversation.flow == "practice"
        assert conversation.data["draft"]["answers"]["submitter_name"] == "Thôn Đông Hà"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_static_page_is_short_in_both_languages(language):
    t = Translator(language)
    for number, name in enumerate(guide.PAGES, start=1):
        text = "\n\n".join([t("guide.heading", number=number, count=len(guide.PAGES),
                              title=t(f"guide.{name}.title")), t(f"guide.{name}.body"),
                            t("guide.next_hint", next=number + 1, title="x" * 40)])
        assert f"guide.{name}" not in text, (language, name)  # translated, not a bare key
        assert len(text) <= guide.MAX_PAGE_CHARS - 250, (language, name, len(text))
