""""Ưu tiên" flags and the XLSX, end to end on Telegram: the leader says the practice is new
and in a border area (both skippable questions of the form), the official sees it on the card,
the map filters by it; a consultation with the default length (CONSULTATION_DAYS) closes,
the commune recognises the practice with its decision, and the report workbook carries the
recognition's year, decision and consultation result, and the consultation's counts and
comments without who wrote them."""

from __future__ import annotations

import io
import json

import aiohttp
import pytest
from openpyxl import load_workbook
from sqlmodel import select

from storage.models import Practice
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.officials import THANH_XUAN
from tests.support.practice_walk import COMPLETE_PRACTICE, Step
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app

PLACE = "Phường Thanh Xuân, Thành phố Hà Nội"
TITLE = "Tiếng kẻng an ninh thôn"


@pytest.fixture
def fast_settings(settings):  # noqa: ANN001
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000, consultation_days=10)


def border_practice() -> list[Step]:
    return [Step("difficult_area", "press", "Biên giới") if s.field == "difficult_area" else s
            for s in COMPLETE_PRACTICE]


async def map_codes(web: aiohttp.ClientSession, **query: str) -> tuple[int, list[str]]:
    async with web.get("/api/practices.geojson", params=query) as response:
        if response.status != 200:
            return response.status, []
        body = await response.json()
    return 200, [f["properties"]["code"] for f in body["features"]]


async def test_priority_flags_the_map_filter_and_the_report(fast_settings, clock, db):
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        lan = TelegramChat(TelegramDriver(app, fake, fake.user(2001, first_name="Lan")))
        minh = TelegramChat(TelegramDriver(app, fake, fake.user(3001, first_name="Minh")))
        hoa = TelegramChat(TelegramDriver(app, fake, fake.user(2002, first_name="Hoa")))
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))

        await lan.command("mohinh")
        for step in border_practice():
            if step.field == "priority_task":
                assert "Ưu tiên: đây là mô hình mới, hay làm một nhiệm vụ khó?" in lan.last_text
            if step.field == "difficult_area":
                assert "Mô hình ở địa bàn khó khăn?" in lan.last_text
            await walk(lan, [step])
        assert "Ưu tiên: 🆕 Mô hình mới" in lan.last_text  # the summary
        assert "Địa bàn khó khăn: 🛂 Biên giới" in lan.last_text
        await lan.press("✅ Gửi")
        code = "MH-2026-000001"
        assert code in lan.last_text

        await minh.command("tracuu", code)
        assert "⭐ Ưu tiên: 🆕 Mô hình mới, 🛂 Biên giới" in minh.last_text
        await minh.press("👍 Duyệt")

        async with aiohttp.ClientSession(base_url=app.web.url) as web:
            assert await map_codes(web, priority="border") == (200, [code])
            assert await map_codes(web, priority="new_practice") == (200, [code])
            assert await map_codes(web, priority="island") == (200, [])
            assert (await map_codes(web, priority="somewhere"))[0] == 400
            async with web.get(f"/api/practices/{code}") as response:
                body = await response.json()
            async with web.get("/") as response:
                page = await response.text()
        assert (body["priority_task"], body["difficult_area"]) == ("new_practice", "border")
        assert 'name="priority"' in page and "Hải đảo" in page

        # A consultation of the default length (CONSULTATION_DAYS: 10 here).
        await hoa.command("theodoi", "thanh xuan")
        await hoa.press(PLACE)
        await minh.command("tracuu", code)
        await minh.press("🗳 Lấy ý kiến Nhân dân")
        assert "Mặc định 10 ngày" in minh.last_text
        await minh.press("Bỏ qua")
        assert "Đã mở lấy ý kiến Nhân dân đến 10/12/2026 09:00" in minh.last_text
        await hoa.notices()
        await hoa.command("dongthuan")
        await hoa.text("thanh xuan")
        await hoa.press(PLACE)
        await hoa.press("🏠 Có, tôi sống ở đây")
        await hoa.press("🗳 " + TITLE)
        await hoa.press("👍 Đồng thuận")
        await hoa.press("⭐⭐⭐⭐⭐")
        await hoa.text("Tối nào cũng nghe kẻng, yên tâm hơn")
        clock.advance(days=10)
        await app.scheduler.tick()
        await minh.notices()
        await minh.command("tracuu", code)
        await minh.press("🏅 Công nhận điển hình")
        await minh.text("125/QĐ-UBND")
        await minh.text("10/12/2026")
        assert "Đã công nhận điển hình cấp cơ sở" in minh.last_text

        async with aiohttp.ClientSession(base_url=app.web.url) as web, \
                web.get(f"/practices/{code}") as response:
            page = await response.text()
        assert "QĐ số 125/QĐ-UBND ngày 10/12/2026" in page and "2026" in page
        assert "Ưu tiên: 🆕 Mô hình mới, 🛂 Biên giới" in page

        await minh.command("baocao")
        await app.scheduler.ondemand_reports.run()
        await app.outbox.drain()
        [report] = [m for m in fake.messages(3001) if m.kind == "document"]
        book = load_workbook(io.BytesIO(fake.file_bytes(report.document["file_id"])))

        # Her answer is hers: exported with her data, its words erased with it (still counted).
        await hoa.command("dulieucuatoi")
        [document] = [m for m in fake.messages(2002) if m.kind == "document"]
        [own] = json.loads(fake.file_bytes(document.document["file_id"]))["consultation_answers"]
        assert (own["comment"], own["satisfaction"]) == ("Tối nào cũng nghe kẻng, yên tâm hơn", 5)
        await hoa.command("xoadulieu")
        await hoa.press("Xoá vĩnh viễn")
        assert "Đã xoá dữ liệu của bạn" in hoa.last_text
        await minh.command("tracuu", code)
        assert "1 ý kiến được tính" in minh.last_text and "nghe kẻng" not in minh.last_text
    header, *rows = list(book["Điển hình được công nhận"].iter_rows(values_only=True))
    [recognition] = [dict(zip(header, row, strict=True)) for row in rows]
    assert (recognition["Năm công nhận"], recognition["Số quyết định"],
            recognition["Ngày quyết định"], recognition["Lấy ý kiến Nhân dân"]) == (
        2026, "125/QĐ-UBND", "10/12/2026", "1/1 đồng thuận, hài lòng 5.0/5")
    header, *rows = list(book["Lấy ý kiến Nhân dân"].iter_rows(values_only=True))
    [consultation] = [dict(zip(header, row, strict=True)) for row in rows]
    assert consultation["Mã"] == code
    assert (consultation["Số người được mời"], consultation["Số ý kiến được tính"],
            consultation["Đồng thuận"], consultation["Chưa đồng thuận"]) == (1, 1, 1, 0)
    assert consultation["Góp ý (không ghi người viết)"] == "Tối nào cũng nghe kẻng, yên tâm hơn"
    assert "Hoa" not in str(rows)
    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
    assert (practice.priority_task, practice.difficult_area) == ("new_practice", "border")
    assert practice.answers["difficult_area"] == "border"

