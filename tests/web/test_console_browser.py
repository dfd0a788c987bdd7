"""The officials' console in headless Chromium at 1366×768, as an official uses it: the sign-in
link asked for in the web chat, the inbox and its filters, a record and its actions, and what a
citizen sees of them in their own web chat."""

from __future__ import annotations

import io
import logging
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PIL import Image
from sqlmodel import select

from bot.app import App
from bot.web.console.auth import COOKIE
from storage.models import AuditEntry, Feedback, Practice
from tests.support.officials import HOAN_KIEM, THANH_XUAN, make_invite, store_practice
from tests.web.browser_chat import TIMEOUT_MS, BrowserChat
from tests.web.conftest import needs_chromium
from tests.web.console_support import LINK, store_feedback
from tests.web.offline import refuse_other_hosts

pytestmark = needs_chromium
LAPTOP = {"width": 1366, "height": 768}
TEMPLATE = "Phường đã tiếp nhận và chuyển đội quản lý đô thị xử lý trong tuần."


@pytest.fixture
async def context(browser):
    context = await browser.new_context(locale="vi-VN", viewport=LAPTOP)
    yield context
    await context.close()


async def open_page(context):  # noqa: ANN001, ANN201
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


async def sign_in_from_the_web_chat(context, base: str, db, clock, *,  # noqa: ANN001, ANN201
                                    unit: str = HOAN_KIEM, level: str = "commune"):
    """An official's browser: the web chat makes them an official and gives the link, which
    opens the console in the same browser. Returns the page, its errors and the link used."""
    page, errors = await open_page(context)
    chat = BrowserChat(page)
    await chat.open(base + "chat")
    welcome = await chat.type("/invite " + await make_invite(db, clock, unit=unit, level=level))
    assert "Chào mừng" in welcome
    answer = await chat.type("/dangnhap")
    link = LINK.search(answer)
    assert link, answer
    await page.goto(base + link.group(0)[1:])
    await page.click("#sign-in")
    await page.wait_for_selector("#items", timeout=TIMEOUT_MS)
    return page, errors, link.group(0)


def base_of(client) -> str:  # noqa: ANN001
    return str(client.make_url("/"))


async def test_an_official_signs_in_from_a_link_got_in_the_web_chat(context, client, db, clock):
    page, errors, link = await sign_in_from_the_web_chat(context, base_of(client), db, clock)
    assert "Hộp thư" in await page.title()
    assert "Phường Hoàn Kiếm" in await page.locator("header .who").inner_text()
    [cookie] = [c for c in await context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert COOKIE not in await page.evaluate("document.cookie")  # out of scripts' reach
    await page.click("header button:has-text('Đăng xuất')")
    await page.wait_for_selector("#signin", timeout=TIMEOUT_MS)
    await page.goto(base_of(client) + link[1:])  # the link was used: the sign-in page
    assert await page.locator("#signin").count() == 1
    assert "đã được dùng hoặc đã hết hạn" in await page.inner_text("#signin")
    await page.goto(base_of(client) + "console/")
    assert await page.locator("#items").count() == 0
    # A fresh link opened 10 minutes and a second later: the sign-in page, no session.
    chat = BrowserChat(page)
    await chat.open(base_of(client) + "chat")
    late = LINK.search(await chat.type("/dangnhap"))
    assert late and late.group(0) != link
    clock.advance(minutes=10, seconds=1)
    await page.goto(base_of(client) + late.group(0)[1:])
    assert await page.locator("#sign-in").count() == 0  # no button to press
    assert "đã được dùng hoặc đã hết hạn" in await page.inner_text("#signin")
    assert [c for c in await context.cookies() if c["name"] == COOKIE] == []
    await page.goto(base_of(client) + "console/")
    assert await page.locator("#items").count() == 0
    assert errors == []


async def test_the_inbox_is_filtered_and_an_anonymous_feedback_shows_no_identity(
        context, client, db, clock):
    lamp = await store_feedback(db, clock, commune=HOAN_KIEM, reporter_name="Trần Bí Mật",
                                text="Đèn đường ngõ 12 phố Hàng Bạc hỏng.")
    await store_feedback(db, clock, commune=HOAN_KIEM, category="environment",
                         text="Rác tồn đọng ở chợ Hàng Da.")
    page, errors, _ = await sign_in_from_the_web_chat(context, base_of(client), db, clock)
    assert await page.locator("#items tr.row").count() == 2
    async with page.expect_navigation():  # a select applies at once (console.js)
        await page.select_option("#filter-category", "infrastructure")
    assert await page.locator("#items tr.row").count() == 1
    await page.fill("#filter-q", "rac cho")
    async with page.expect_navigation():
        await page.press("#filter-q", "Enter")
    assert await page.locator("#items tr.row").count() == 0  # category still applies
    await page.goto(base_of(client) + "console/?q=den+duong")
    rows = page.locator("#items tr.row")
    assert await rows.count() == 1 and lamp.code in await rows.inner_text()
    await page.click(f"text={lamp.code}")
    await page.wait_for_selector("#record")
    html = await page.content()
    assert "Đèn đường ngõ 12" in html and "Trần Bí Mật" not in html
    assert await page.locator("#record-map.leaflet-container").count() == 1
    assert errors == []


async def test_a_reply_from_a_template_reaches_the_citizens_web_chat(browser, settings, clock,
                                                                     db):
    app = App(settings, clock=clock)
    await app.start()
    try:
        citizen_context = await browser.new_context(  # in Thanh Xuân, sharing where
            locale="vi-VN", geolocation={"latitude": 21.0008, "longitude": 105.8123},
            permissions=["geolocation"])
        official_context = await browser.new_context(locale="vi-VN", viewport=LAPTOP)
        citizen_page, citizen_errors = await open_page(citizen_context)
        citizen = BrowserChat(citizen_page)
        await citizen.open(app.web.url + "chat")
        await citizen.type("/phananh")
        receipt = await citizen.walk_form(until="PA-")
        code = re.search(r"PA-\d{4}-\d{6}", receipt).group(0)

        page, errors, _ = await sign_in_from_the_web_chat(official_context, app.web.url, db,
                                                          clock, unit=THANH_XUAN)
        await page.click("header a:has-text('Mẫu trả lời')")
        await page.fill("#template-form input[name=title]", "Chuyển đô thị")
        await page.fill("#template-form textarea[name=text]", TEMPLATE)
        await page.click("#template-form button[type=submit]")
        await page.wait_for_selector("#outcome")
        await page.goto(app.web.url + "console/")
        await page.click(f"text={code}")
        await page.select_option("#reply-template", label="Chuyển đô thị")
        assert await page.input_value("#reply-answer") == TEMPLATE  # filled, still editable
        await page.click("#do-reply")
        assert "✅" in await page.inner_text("#outcome")

        await app.outbox.drain()
        await citizen_page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        notice = citizen_page.locator("#transcript .msg.bot.pushed")
        await notice.first.wait_for(timeout=TIMEOUT_MS)
        assert TEMPLATE in await notice.last.inner_text()
        assert citizen_errors == [] and errors == []
        await citizen_context.close()
        await official_context.close()
    finally:
        await app.stop()
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback).where(Feedback.code == code))).one()
    assert feedback.status == "received" and feedback.first_answered_at is not None


async def test_a_practice_is_approved_and_another_communes_record_is_refused(
        context, client, db, clock, caplog):
    caplog.set_level(logging.WARNING)
    practice_id = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=960)
    elsewhere = await store_feedback(db, clock, commune=THANH_XUAN, text="Ngập nước.")
    page, errors, _ = await sign_in_from_the_web_chat(context, base_of(client), db, clock)
    await page.click("#tab-practice")
    await page.click(f"a[href='/console/practices/{practice_id}']")
    await page.click("#do-approve")
    assert "✅" in await page.inner_text("#outcome")
    assert await page.locator("#do-recognise").count() == 1

    response = await page.goto(base_of(client) + f"console/feedback/{elsewhere.id}")
    assert response.status == 403 and "Ngập nước" not in await page.content()
    logged = [r for r in caplog.records if r.getMessage() == "official action refused"]
    assert [(r.reason, r.item_id) for r in logged] == [("outside", elsewhere.id)]

    await page.goto(base_of(client) + f"console/practices/{practice_id}")
    await page.evaluate("document.querySelectorAll('input[name=csrf]')"
                        ".forEach(function (input) { input.remove(); })")
    async with page.expect_navigation():
        await page.click("#do-recognise")
    assert "mã bảo vệ" in await page.inner_text("main")  # refused without the CSRF token
    assert errors == []
    async with db.session() as session:
        practice = await session.get(Practice, practice_id)
        refused = (await session.exec(select(AuditEntry).where(
            AuditEntry.action == "console.refused"))).all()
    assert practice.status == "approved"  # approved, and not recognised without the token
    assert [(e.record_kind, e.record_id) for e in refused] == [("feedback", elsewhere.id)]


TABLET = {"width": 768, "height": 1024}
STATUS_COLOURS = {"rgb(198, 40, 40)", "rgb(239, 108, 0)", "rgb(249, 168, 37)",
                  "rgb(46, 125, 50)", "rgb(106, 27, 154)"}
PICTURES = Path(__file__).resolve().parents[2] / "docs" / "img"


async def test_the_console_fits_a_laptop_and_a_tablet_with_every_asset_local(
        browser, client, db, clock, settings):
    """Inbox and record at 1366×768 and on a tablet (768×1024): nothing wider than the screen,
    nothing fetched from elsewhere but the map tiles of MAP_TILE_URL (cut off here, as
    offline: the record's map still shows its pin). UPDATE_SCREENSHOTS=1 writes the pictures
    docs/console.md shows (docs/img/console-inbox.png, console-record.png)."""
    for number in range(8):
        await store_feedback(
            db, clock, commune=HOAN_KIEM, days_ago=number * 1.7,
            category=("infrastructure", "environment", "public_order")[number % 3],
            status=("new", "received", "in_progress", "resolved")[number % 4],
            text=f"Phản ánh số {number + 1}: đèn đường, rác, lấn chiếm vỉa hè.")
    lamp = await store_feedback(db, clock, commune=HOAN_KIEM,
                                text="Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay.")
    context = await browser.new_context(locale="vi-VN", viewport=LAPTOP)
    elsewhere = await refuse_other_hosts(context)
    page, errors, _ = await sign_in_from_the_web_chat(context, base_of(client), db, clock)
    shots = {}
    for size in (LAPTOP, TABLET):
        await page.set_viewport_size(size)
        for name, path in (("inbox", "console/"), ("record", f"console/feedback/{lamp.id}")):
            await page.goto(base_of(client) + path)
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (name, size)
            if name == "inbox":  # the map legend's status colours stay on its dots
                backgrounds = await page.eval_on_selector_all(
                    "#items tr.row", "rows => rows.map(r => getComputedStyle(r).backgroundColor)")
                assert not set(backgrounds) & STATUS_COLOURS, backgrounds
            if size is LAPTOP:
                shots[name] = await page.screenshot()
    await context.close()
    tiles = urlparse((settings.web.map_tile_url or "").replace("{s}", "a")).hostname
    assert [url for url in elsewhere if urlparse(url).hostname != tiles] == []
    assert errors == []
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        for name, png in shots.items():
            picture = Image.open(io.BytesIO(png)).convert("RGB")
            picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                PICTURES / f"console-{name}.png", optimize=True)
    for name in shots:
        committed = Image.open(PICTURES / f"console-{name}.png")
        assert committed.size == (LAPTOP["width"], LAPTOP["height"])
