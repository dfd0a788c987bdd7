"""From a practice's public page to the bot: "Chúng tôi đã học tập, nhân rộng" opens the web
chat on the declaration (in headless Chromium), which is answered there and then counted on
the page; a reload of the chat does not declare it again."""

from __future__ import annotations

from sqlmodel import select

from storage.models import PracticeReplication
from tests.web.browser_chat import BrowserChat
from tests.web.conftest import needs_chromium
from tests.web.factories import add_practice

pytestmark = needs_chromium


async def test_the_pages_button_opens_the_declaration_in_the_web_chat(browser, client, db):  # noqa: ANN001
    practice = await add_practice(db, title="Tiếng kẻng an ninh thôn")
    context = await browser.new_context(locale="vi-VN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(str(client.make_url(f"/practices/{practice.code}")))
    await page.get_by_role("link", name="🌱 Báo qua trang trò chuyện").click()
    await page.wait_for_function(
        "() => [...document.querySelectorAll('#transcript .msg.bot .text')]"
        ".some(e => e.innerText.includes('nhân rộng mô hình'))")
    assert "nhanrong" not in page.url  # declared once: a reload does not start it again
    chat = BrowserChat(page)
    assert "Tên tập thể đã làm theo" in await chat.last_text()
    await chat.type("Thôn Yên Lạc")
    await chat.type("yen hoa")
    await chat.press("Phường Yên Hòa, Thành phố Hà Nội")
    assert "Đã ghi nhận Thôn Yên Lạc" in await chat.press("✅ Gửi")
    await page.goto(str(client.make_url(f"/practices/{practice.code}")))
    assert "Đã được nhân rộng ở 1 nơi" in await page.locator(".practice-card").inner_text()
    await context.close()
    assert errors == []
    async with db.session() as session:
        [row] = (await session.exec(select(PracticeReplication))).all()
    assert row.practice_id == practice.id and row.collective_name == "Thôn Yên Lạc"
