"""Criteria as data, end to end: a leader assesses their practice against the commune level's
criteria before sending it (buttons on Telegram, typed numbers on Zalo Bot, which has none) and
reads it back with what she sent (/cuatoi, /tracuu); an official scores it against the same
criteria with a comment, and the officials' card shows both side by side (the submitter sees
only her own); what is stored carries the criteria's version. Over the real adapters
against their fake platforms, on real SQLite."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from handlers.periods import Period
from storage.models import PracticeAssessment
from storage.repositories.officials import Scope
from tests.support.channels import people_on
from tests.support.chat_driver import ChatDriver, walk
from tests.support.officials import THANH_XUAN, make_invite
from tests.support.practice_walk import COMPLETE_PRACTICE, SELF_ASSESSMENT
from tests.support.reports import report_sheets

CODE = "MH-2026-000001"
FORM = COMPLETE_PRACTICE[:len(COMPLETE_PRACTICE) - len(SELF_ASSESSMENT)]
VERSION = "common@2026.1+commune@2026.1"
MOBILISED = "Vận động được nhiều người, tổ chức, lực lượng tham gia"
SIX_CLEAR = "Đạt mục tiêu “6 rõ”"
MONTHS = "Mô hình đã duy trì được bao nhiêu tháng?"
COMMENT = "Cần thêm số liệu về số hộ tham gia tuần tra."


async def assessments(db) -> list[PracticeAssessment]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(select(PracticeAssessment)
                                        .order_by(col(PracticeAssessment.id)))).all())


async def assess_own_practice(lan: ChatDriver) -> None:
    """The form, then the self-assessment with a slip or two corrected on the way."""
    await lan.open_menu()
    await lan.press("Gửi mô hình")
    await walk(lan, FORM)
    question = lan.last_text
    assert "Trước khi gửi, xin tự đánh giá mô hình theo 5 tiêu chí" in question, question
    assert "📋 Tự đánh giá 1/5" in question and MOBILISED in question
    await lan.text("mười")  # not a score: said so, the same criterion again
    assert "⚠️ Xin chọn một số từ 1 đến 5." in lan.last_text, lan.last_text
    assert "📋 Tự đánh giá 1/5" in lan.last_text and MOBILISED in lan.last_text
    await walk(lan, SELF_ASSESSMENT[:3])
    await lan.command("quaylai")  # back one criterion: the earlier answer is shown
    assert "📋 Tự đánh giá 3/5" in lan.last_text, lan.last_text
    assert "(Câu trả lời hiện tại: Có)" in lan.last_text, lan.last_text
    await walk(lan, SELF_ASSESSMENT[2:4])
    assert "📋 Tự đánh giá 5/5" in lan.last_text and MONTHS in lan.last_text
    await lan.text("15/03/2026")  # a date where a number of months is asked
    assert "⚠️ Đây có vẻ là ngày tháng." in lan.last_text, lan.last_text
    assert MONTHS in lan.last_text
    await walk(lan, SELF_ASSESSMENT[4:])
    summary = lan.last_text
    assert "📋 Tự đánh giá theo tiêu chí:" in summary, summary
    for shown in (f"{MOBILISED}: 4/5", "Dân biết, dân bàn, dân làm, dân kiểm tra, dân giám "
                  "sát, dân thụ hưởng: 5/5", f"{SIX_CLEAR}", ": Có", f"{MONTHS}: 8 tháng",
                  "Tiếng kẻng an ninh thôn"):
        assert shown in summary, shown
    await lan.press("Gửi")
    assert CODE in lan.last_text, lan.last_text


async def score_as_official(minh: ChatDriver) -> None:
    await minh.command("tracuu", CODE)
    card = minh.last_text
    assert "📋 Đánh giá theo tiêu chí (tự đánh giá):" in card, card
    assert f"• {MOBILISED}: 4/5" in card and f"• {MONTHS}: 8 tháng" in card
    await minh.press("📋 Chấm theo tiêu chí")
    assert f"Chấm mô hình {CODE} theo tiêu chí cấp cơ sở: 5 tiêu chí" in minh.last_text
    assert "📋 Tiêu chí 1/5" in minh.last_text and MOBILISED in minh.last_text
    await minh.press("3 – Đạt")
    await minh.text("7")  # out of the scale
    assert "⚠️" in minh.last_text and "📋 Tiêu chí 2/5" in minh.last_text, minh.last_text
    await minh.text("4")  # typed, as on a channel without buttons
    await minh.press("Không")
    await minh.press("3 – Đạt")
    assert "📋 Tiêu chí 5/5" in minh.last_text
    await minh.press("Bỏ qua")
    assert "Nhận xét của anh/chị" in minh.last_text
    await minh.text(COMMENT)
    card = minh.last_text
    assert "✅ Đã lưu đánh giá theo tiêu chí." in card, card
    assert "📋 Đánh giá theo tiêu chí (tự đánh giá │ cán bộ cấp cơ sở):" in card
    assert f"• {MOBILISED}: 4/5 │ 3/5" in card
    assert f"{SIX_CLEAR} (rõ người, rõ việc, rõ thời gian, rõ trách nhiệm, rõ sản phẩm, rõ " \
           f"thẩm quyền): Có │ Không" in card
    assert f"• {MONTHS}: 8 tháng │ —" in card
    assert f"💬 Nhận xét của cán bộ cấp cơ sở: {COMMENT}" in card
    # the practice's own fields stay on the card, the assessment beside them
    assert card.index("Kết quả") < card.index("📋 Đánh giá") < card.index("Diễn biến:")
    await minh.press("👍 Duyệt")
    assert "Đã duyệt" in minh.last_text and f"• {MOBILISED}: 4/5 │ 3/5" in minh.last_text


@pytest.mark.parametrize("channel", ["telegram", "zalo_bot"])
async def test_self_assessment_then_an_officials_scores_side_by_side_on_the_card(
        channel, settings, clock, db, services, engine):  # noqa: ANN001
    async with people_on(channel, settings, clock, db, services, engine) as person:
        minh, lan = person("Minh"), person("Lan")
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
        assert "Chào mừng" in minh.last_text, minh.last_text
        await assess_own_practice(lan)
        await lan.command("cuatoi")  # what Lan sent, in full, her self-assessment with it
        mine = lan.last_text
        assert "📋 Đánh giá theo tiêu chí (tự đánh giá):" in mine, mine
        assert f"• {MOBILISED}: 4/5" in mine and f"• {MONTHS}: 8 tháng" in mine
        assert mine.index("Kết quả") < mine.index("📋 Đánh giá") < mine.index("Diễn biến:")
        await person.settle()  # the notice of the new practice to Minh
        await score_as_official(minh)
        await person.settle()  # the notice of the approval to Lan
        await lan.command("tracuu", CODE)  # her own self-assessment; the officials' stay theirs
        mine = lan.last_text
        assert "Đã duyệt" in mine and f"• {MOBILISED}: 4/5" in mine, mine
        assert "│" not in mine and "cán bộ cấp cơ sở" not in mine and COMMENT not in mine

    own, official = await assessments(db)
    assert (own.kind, own.level, own.practice_status, own.criteria_version) == (
        "self", "commune", "submitted", VERSION)
    assert own.scores == {"mobilised": 4, "people_roles": 5, "six_clear": True, "lasting": 4,
                          "months_running": 8}
    assert [c["code"] for c in own.criteria] == ["mobilised", "people_roles", "six_clear",
                                                 "lasting", "months_running"]
    assert own.criteria[4]["unit"] == {"vi": "tháng", "en": "months"}
    assert (official.kind, official.level, official.practice_status) == (
        "review", "commune", "submitted")
    assert official.criteria_version == VERSION and official.comment == COMMENT
    assert official.scores == {"mobilised": 3, "people_roles": 4, "six_clear": False,
                               "lasting": 3, "months_running": None}
    assert official.assessor_id != own.assessor_id
    await report_shows_both(db, services, settings)
    await api_shows_scores_never_comments(settings, db, services, engine)


async def api_shows_scores_never_comments(settings, db, services, engine) -> None:  # noqa: ANN001
    """The approved practice's API record has both sets of answers; the official's comment
    (officials only) is neither there nor on the public page."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.metrics import Metrics
    from bot.web.server import create_web_app

    web_app = create_web_app(settings=settings, db=db, services=services, engine=engine,
                             metrics=Metrics())
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        response = await client.get(f"/api/practices/{CODE}")
        assert response.status == 200
        body = await response.text()
        page = await (await client.get(f"/practices/{CODE}")).text()
    own, official = (await response.json())["assessments"]
    assert (own["by"], own["criteria_version"]) == ("self", VERSION)
    assert own["scores"][0] == {"code": "mobilised", "text": MOBILISED, "kind": "scale",
                                "unit": None, "value": 4}
    assert own["scores"][4] == {"code": "months_running", "text": MONTHS, "kind": "number",
                                "unit": "tháng", "value": 8}
    assert official["by"] == "commune"
    assert [s["value"] for s in official["scores"]] == [3, 4, False, 3, None]
    assert COMMENT not in body and COMMENT not in page


async def report_shows_both(db, services, settings) -> None:  # noqa: ANN001
    """The commune's XLSX report carries both assessments, criterion by criterion."""
    sheets = await report_sheets(db, settings.flows.tz, Scope("commune", THANH_XUAN),
                                 Period(date(2026, 1, 1), date(2026, 12, 31)),
                                 services.media.root / "reports" / "criteria.xlsx",
                                 datetime(2026, 12, 31, tzinfo=UTC))
    rows = sheets["Đánh giá theo tiêu chí"]
    assert rows[0] == ("Mã", "Tên mô hình", "Tiêu chí", "Tự đánh giá", "Cán bộ cấp cơ sở",
                       "Cán bộ cấp tỉnh", "Cán bộ cấp Trung ương", "Phiên bản tiêu chí")
    assert rows[1] == (CODE, "Tiếng kẻng an ninh thôn", MOBILISED, "4/5", "3/5", None, None,
                       VERSION)
    assert rows[5][2:5] == (MONTHS, "8 tháng", "—")
    assert rows[6][2:5] == ("Nhận xét của cán bộ", None, COMMENT)
