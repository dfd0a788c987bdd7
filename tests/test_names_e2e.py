"""Names where the platform gives none (issue 18, item 4): "👤 Ghi tên tôi" on the web chat, and
on Zalo OA before the person shares their info, asks for a name; the officials see that name on
the feedback's card and in the XLSX report, and it is stored with the feedback."""

from __future__ import annotations

import base64
import io
import re

import aiohttp
from openpyxl import load_workbook
from sqlmodel import select

from bot.app import App
from handlers.i18n import Translator
from storage.models import Feedback
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.officials import HOAN_KIEM, feedback_walk
from tests.web.chat_client import WebChat, WebChatClient
from tests.zalo_oa.harness import OADriver, ZaloOAChat, running_app

NAME = "Nguyễn Thị Hoa"
ASKED = "Bạn tên là gì?"
T = Translator("vi")


def sender_cell(xlsx: bytes, code: str) -> str:
    """The "Người gửi" cell of feedback `code` in the report's list of feedback."""
    sheet = load_workbook(io.BytesIO(xlsx))[T("report.sheet.feedback_list")]
    header, *rows = list(sheet.iter_rows(values_only=True))
    [row] = [r for r in rows if r[0] == code]
    return row[header.index(T("report.col.sender"))]


async def stored_feedback(db) -> Feedback:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Feedback))).one()


def browser(url: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True))


async def test_the_web_chat_asks_for_the_name_officials_then_see(settings, clock, db):
    app = App(settings, clock=clock)  # no Telegram or Zalo: the web chat alone
    await app.start()
    try:
        async with browser(app.web.url) as hoa_browser, browser(app.web.url) as minh_browser:
            hoa, minh = WebChatClient(hoa_browser), WebChatClient(minh_browser)
            await minh.text("/start " + await make_invite(db, clock, unit=HOAN_KIEM))
            assert "Chào mừng" in minh.last.text

            await hoa.start()
            await hoa.text("/phananh")
            for step in feedback_walk(anonymous=False, photos=0, name=NAME):
                if step.field == "name":
                    assert ASKED in hoa.last.text, hoa.last.text
                await walk(WebChat(hoa), [step])
                assert hoa.status == 200
            assert f"Tên người phản ánh: {NAME}" in hoa.last.text  # the summary says it back
            await hoa.press("✅ Gửi")
            code = re.search(r"PA-\d{4}-\d{6}", hoa.last.text).group(0)

            await app.outbox.drain()
            await minh.notices()
            await minh.text("/hopthu")
            await minh.press(code)
            assert f"Người phản ánh: {NAME}" in minh.last.text, minh.last.text

            [queued] = [b for b in await minh.text("/baocao") if b.kind == "bot"]
            assert queued.text.startswith("⏳"), queued.text
            await app.scheduler.ondemand_reports.run()
            await app.outbox.drain()
            [report] = [b for b in await minh.notices() if b.kind == "document"]
            xlsx = base64.b64decode(report.src.split(",", 1)[1])
    finally:
        await app.stop()

    feedback = await stored_feedback(db)
    assert (feedback.anonymous, feedback.reporter_name) == (False, NAME)
    assert sender_cell(xlsx, code) == NAME


async def test_zalo_oa_asks_for_the_name_before_the_person_shares_their_info(
        settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        hoa, minh = fake.user("5001", "Hoa"), fake.user("6001", "Minh")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            citizen, official = OADriver(app, fake, hoa), OADriver(app, fake, minh)
            await official.command("moi", await make_invite(db, clock, unit=HOAN_KIEM))
            assert "Chào mừng" in official.last_text

            await citizen.command("phananh")
            for step in feedback_walk(anonymous=False, photos=0, name=NAME):
                if step.field == "name":
                    assert ASKED in citizen.last_text, citizen.last_text
                await walk(ZaloOAChat(citizen), [step])
            assert f"Tên người phản ánh: {NAME}" in citizen.last_text
            await citizen.press("Gửi")
            code = re.search(r"PA-\d{4}-\d{6}", citizen.last_text).group(0)

            await app.outbox.drain()
            card = await official.press(minh.last.titles[0])
            assert f"Người phản ánh: {NAME}" in "\n".join(m.text or "" for m in card)

            await official.command("baocao")
            await app.scheduler.ondemand_reports.run()
            await app.outbox.drain()
            report = minh.last
            assert report.file_name.endswith(".xlsx")
        assert fake.errors == [], fake.errors

    feedback = await stored_feedback(db)
    assert (feedback.anonymous, feedback.reporter_name) == (False, NAME)
    assert sender_cell(report.file, code) == NAME
