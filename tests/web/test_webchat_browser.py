"""The web chat in headless Chromium: whole flows with photo uploads and a location, ending with
the receipt code, the language switch, and a notice the bot sends on its own."""

from __future__ import annotations

import pytest

from bot.webchat.convert import SESSION_COOKIE, ChatSession
from bot.webchat.notices import WebNoticeSender
from handlers.registry import all_flows
from handlers.replies import MENU_TOKEN, Option, TextReply
from storage.repositories import practices
from storage.repositories.web_notices import WebNoticeStore
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.web.browser_chat import TIMEOUT_MS, BrowserChat
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium
WHERE = {"latitude": 21.0008, "longitude": 105.8123}


@pytest.fixture
async def chat_page(browser, client):
    context = await browser.new_context(geolocation=WHERE, permissions=["geolocation"],
                                        locale="vi-VN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    chat = BrowserChat(page)
    await chat.open(str(client.make_url("/chat")))
    yield chat
    await context.close()
    assert errors == []


async def test_a_practice_with_photos_is_submitted_in_the_browser(chat_page, db, tmp_path):
    assert "Bạn muốn làm gì?" in await chat_page.last_text()
    assert "Ai gửi mô hình này?" in await chat_page.press("📝 Gửi mô hình")
    for step in COMPLETE_PRACTICE:
        if step.kind == "press":
            reply = await chat_page.press(str(step.value))
        elif step.kind == "text":
            reply = await chat_page.type(str(step.value))
        elif step.kind == "location":
            reply = await chat_page.share_location()
        else:
            reply = await chat_page.upload_photos(int(step.value))
            assert "3/10" in reply
        assert not reply.startswith("⚠️"), (step, reply)
    assert "Kiểm tra lại mô hình" in reply
    receipt = await chat_page.press("✅ Gửi")
    await chat_page.page.screenshot(path=str(tmp_path / "webchat.png"), full_page=True)

    assert "Mã tiếp nhận: MH-2026-" in receipt
    code = receipt.split("Mã tiếp nhận: ")[1].split()[0]
    async with db.session() as session:
        stored = await practices.get_by_code(session, code)
        photos = await practices.photos_of(session, stored.id)
    assert (stored.latitude, stored.longitude) == (21.0008, 105.8123)
    assert len(photos) == 3
    old_buttons = chat_page.page.locator("#transcript .msg.bot button.option:not([disabled])")
    assert await old_buttons.count() == 0  # answered questions keep no live buttons


async def test_a_place_can_be_picked_on_the_small_map_and_the_page_survives_a_reload(
        chat_page, client):
    await chat_page.type("/mohinh")
    location = [s.field for s in COMPLETE_PRACTICE].index("location")
    for step in COMPLETE_PRACTICE[:location]:  # up to the location question
        if step.kind == "press":
            await chat_page.press(str(step.value))
        else:
            await chat_page.type(str(step.value))
    assert "Gửi vị trí" in await chat_page.last_text()
    await chat_page.page.reload()
    await chat_page.page.wait_for_selector("#transcript .msg.bot")
    assert "Gửi vị trí" in await chat_page.last_text()  # the transcript was kept
    reply = await chat_page.pick_on_map()
    # The small map opens on the whole country, so the click lands far from Thanh Xuân: the
    # bot asks before keeping a pin outside the chosen commune's province.
    assert "Vị trí này có vẻ không thuộc Thành phố Hà Nội" in reply
    reply = await chat_page.press("Đúng, giữ vị trí này")
    assert "📍 Đã ghi vị trí:" in reply and "openstreetmap.org" in reply
    assert "ảnh" in reply and not reply.startswith("⚠️")


async def test_the_generic_walker_completes_the_practice_form(chat_page):
    """The walker the feedback test relies on, proven on the flow that exists today."""
    await chat_page.type("/mohinh")
    receipt = await chat_page.walk_form(until="MH-")
    assert "Mã tiếp nhận: MH-" in receipt


@pytest.mark.skipif("feedback" not in all_flows(), reason="feedback flow not registered yet")
async def test_feedback_with_a_photo_is_sent_in_the_browser(chat_page):
    await chat_page.type("/feedback")
    receipt = await chat_page.walk_form(until="PA-")
    assert "PA-" in receipt
    uploads = chat_page.page.locator("#transcript .msg.mine img")
    assert await uploads.count() >= 1


async def test_the_english_switch_changes_the_page_and_the_bot(chat_page):
    await chat_page.press("📝 Gửi mô hình")
    await chat_page.page.click("#lang-switch")
    await chat_page.page.wait_for_selector("html[lang='en']")
    await chat_page.page.wait_for_selector("#transcript .msg.bot")
    assert await chat_page.page.get_attribute("#message", "placeholder") == "Type a message…"
    last = await chat_page.last_text()
    assert "Language set to English." in last and "Who is submitting this practice?" in last
    assert "Ai gửi mô hình này?" in await chat_page.page.inner_text("#transcript")  # kept
    reply = await chat_page.press("A collective")
    assert "What kind of collective is it?" in reply


async def test_a_notice_for_the_chat_shows_up_on_the_open_page_once(chat_page, db, clock):
    page = chat_page.page
    token = next(c["value"] for c in await page.context.cookies() if c["name"] == SESSION_COOKIE)
    notice = TextReply("🔔 Phản ánh của bạn đã có trả lời.",
                       (Option("🔎 Tra cứu phản ánh", "status"),), token=MENU_TOKEN)
    await WebNoticeSender(WebNoticeStore(db), clock).deliver(
        ChatSession(token, is_new=False).chat_id, [notice])

    # The page asks on load, every 25 s, and when the tab comes back into view: the last here.
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    shown = page.locator("#transcript .msg.bot.pushed")
    await shown.wait_for(timeout=TIMEOUT_MS)
    assert "đã có trả lời" in await shown.inner_text()
    menu = page.locator("#transcript .msg.bot:not(.pushed) button.option:not([disabled])")
    assert await menu.count() > 0  # the question on screen stays open
    reply = await chat_page.press("Tra cứu phản ánh")
    assert "chưa gửi phản ánh nào" in reply

    async with page.expect_response(lambda r: "/chat/notices" in r.url):
        await page.reload()
    await page.wait_for_selector("#transcript .msg.bot")
    assert await shown.count() == 1  # kept on screen, never shown twice
