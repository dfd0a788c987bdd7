"""What residents contributed (workdays, money, other) and the two counts that replaced "bao
nhiêu người, tổ chức" (people mobilised; organisations taking part), end to end: asked on every
channel, the money said back in words, stored, and shown on the officials' card on every
channel, then on the public page, the map popup, the API, the XLSX report and the submitter's
own data export."""

from __future__ import annotations

import io
import json

import aiohttp
import pytest
from openpyxl import load_workbook
from sqlmodel import select

from storage.models import Practice
from tests.fakes.telegram_api import FakeTelegram
from tests.support.channels import channel_people
from tests.support.chat_driver import ChatDriver, walk
from tests.support.factories import make_invite
from tests.support.officials import THANH_XUAN
from tests.support.practice_walk import COMPLETE_PRACTICE, Step
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app

__all__ = ["channel_people"]  # the fixture, parametrised over the channels

GIVEN = {"organisations_taking_part": "4 tổ chức", "contribution_workdays": "1.200",
         "contribution_money_vnd": "200 triệu", "contribution_other": "2 tấn xi măng, 300 m² đất"}
MONEY = "200.000.000 đồng (hai trăm triệu đồng)"


def contributing_walk() -> list[Step]:
    return [Step(s.field, "text", GIVEN[s.field]) if s.field in GIVEN else s
            for s in COMPLETE_PRACTICE]


async def submit_contributing_practice(chat: ChatDriver) -> str:
    await chat.open_menu()
    await chat.press("Gửi mô hình")
    steps = contributing_walk()
    money = [s.field for s in steps].index("contribution_money_vnd")
    await walk(chat, steps[:money + 1])
    assert f"Đã hiểu: {MONEY}" in chat.last_text, chat.last_text  # confirmed in words
    await walk(chat, steps[money + 1:])
    summary = chat.last_text
    assert "Số người tham gia: 250" in summary and "Số tổ chức tham gia: 4" in summary
    assert MONEY in summary and "Ngày công đóng góp: 1.200" in summary
    await chat.press("Gửi")
    assert "MH-2026-000001" in chat.last_text, chat.last_text
    return "MH-2026-000001"


async def stored_practice(db) -> Practice:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Practice))).one()


async def test_contributions_and_both_counts_reach_the_officials_card_on_every_channel(
        channel_people, db, clock):  # noqa: ANN001
    async with channel_people() as person:
        minh, lan = person("Minh"), person("Lan")
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
        assert "Chào mừng" in minh.last_text, minh.last_text
        code = await submit_contributing_practice(lan)
        await person.settle()  # the notice to Minh, before he acts

        await minh.command("tracuu", code)
        card = minh.last_text
        assert "Số người tham gia: 250" in card and "Số tổ chức tham gia: 4" in card
        assert "Đóng góp:" in card and "• Ngày công: 1.200" in card
        assert f"• Tiền: {MONEY}" in card
        assert "• Khác: 2 tấn xi măng, 300 m² đất" in card

    practice = await stored_practice(db)
    assert (practice.people_mobilised, practice.organisations_taking_part) == (250, 4)
    assert practice.contribution_workdays == 1200
    assert practice.contribution_money_vnd == 200_000_000
    assert practice.contribution_other == "2 tấn xi măng, 300 m² đất"
    assert practice.answers["organisations_taking_part"] == 4


async def test_an_official_card_says_when_no_contribution_was_declared(
        channel_people, db, clock):  # noqa: ANN001
    async with channel_people() as person:
        minh, lan = person("Minh"), person("Lan")
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
        await lan.open_menu()
        await lan.press("Gửi mô hình")
        await walk(lan, [Step(s.field, "press", "Bỏ qua") if s.field in GIVEN else s
                         for s in COMPLETE_PRACTICE])
        await lan.press("Gửi")
        await person.settle()
        await minh.command("tracuu", "MH-2026-000001")
        card = minh.last_text
        assert "Đóng góp: chưa kê khai" in card and "Số tổ chức tham gia" not in card
    practice = await stored_practice(db)
    assert practice.organisations_taking_part is None
    assert practice.contribution_money_vnd is None and practice.contribution_workdays is None


@pytest.fixture
def fast_settings(settings):  # noqa: ANN001
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def test_contributions_on_the_public_page_popup_api_report_and_export(
        fast_settings, clock, db):  # noqa: ANN001
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        lan_user, minh_user = fake.user(2001, first_name="Lan"), fake.user(3001, first_name="Minh")
        lan = TelegramChat(TelegramDriver(app, fake, lan_user))
        minh = TelegramChat(TelegramDriver(app, fake, minh_user))
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
        code = await submit_contributing_practice(lan)
        await minh.command("tracuu", code)
        await minh.press("👍 Duyệt")
        assert "Đã duyệt" in minh.last_text or "✅" in minh.last_text, minh.last_text

        async with aiohttp.ClientSession(base_url=app.web.url) as web:
            async with web.get(f"/api/practices/{code}") as response:
                assert response.status == 200
                body = await response.json()
            async with web.get(f"/practices/{code}") as response:
                page = await response.text()
            async with web.get(f"/practices/{code}/popup") as response:
                popup = await response.text()
            async with web.get("/api/openapi.json") as response:
                schema = (await response.json())["components"]["schemas"]["PracticePublic"]
        assert body["people_mobilised"] == 250 and body["organisations_taking_part"] == 4
        assert body["contribution_workdays"] == 1200
        assert body["contribution_money_vnd"] == 200_000_000
        assert body["contribution_money_words"] == "hai trăm triệu đồng"
        assert body["contribution_other"] == "2 tấn xi măng, 300 m² đất"
        assert {"organisations_taking_part", "contribution_money_vnd",
                "contribution_money_words"} <= set(schema["properties"])
        for html in (page, popup):
            assert "Đóng góp của Nhân dân" in html and MONEY in html
            assert "Số tổ chức tham gia" in html and "1.200" in html
            assert "2 tấn xi măng, 300 m² đất" in html

        await minh.command("baocao")
        await app.scheduler.ondemand_reports.run()
        await app.outbox.drain()
        [report] = [m for m in fake.messages(3001) if m.kind == "document"]
        book = load_workbook(io.BytesIO(fake.file_bytes(report.document["file_id"])))
        header, *rows = list(book["Danh sách mô hình"].iter_rows(values_only=True))
        row = dict(zip(header, rows[0], strict=True))
        assert row["Số người tham gia"] == 250 and row["Số tổ chức tham gia"] == 4
        assert row["Ngày công"] == 1200 and row["Tiền (đồng)"] == 200_000_000
        assert row["Tiền (bằng chữ)"] == "hai trăm triệu đồng"
        assert row["Đóng góp khác"] == "2 tấn xi măng, 300 m² đất"

        await lan.command("dulieucuatoi")
        [document] = [m for m in fake.messages(2001) if m.kind == "document"]
        [own] = json.loads(fake.file_bytes(document.document["file_id"]))["practices"]
        assert own["organisations_taking_part"] == 4
        assert own["contribution_money_vnd"] == 200_000_000
