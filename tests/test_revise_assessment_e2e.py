"""A practice sent back is revised with its self-assessment: the summary shows the current one,
"✏️ Sửa" → "Tự đánh giá" changes it one criterion at a time (buttons on Telegram, numbers on
Zalo Bot), criteria the commune added since are asked, and resending stores a new
self-assessment that officials see (the earlier one kept as history). Over the real adapters
against their fake platforms, on real SQLite."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from storage.models import PracticeAssessment, PracticeEvent
from tests.fakes.telegram_api import FakeTelegram
from tests.support.channels import people_on
from tests.support.chat_driver import ChatDriver, walk
from tests.support.officials import THANH_XUAN, make_invite
from tests.support.practice_walk import COMPLETE_PRACTICE, SELF_ASSESSMENT
from tests.support.reports import report_sheets
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app
from tests.test_criteria_cli import OWN_CRITERIA, dvk

CODE = "MH-2026-000001"
VERSION = "common@2026.1+commune@2026.1"
REASON = "Tự đánh giá cao quá so với kết quả."
MOBILISED = "Vận động được nhiều người, tổ chức, lực lượng tham gia"
MONTHS = "Mô hình đã duy trì được bao nhiêu tháng?"
DIGITAL = "Có ứng dụng chuyển đổi số"
VOICE = "Người dân nói gì về mô hình?"
FIRST_SCORES = {"mobilised": 4, "people_roles": 5, "six_clear": True, "lasting": 4,
                "months_running": 8}


async def self_assessments(db) -> list[PracticeAssessment]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(
            select(PracticeAssessment).where(PracticeAssessment.kind == "self")
            .order_by(col(PracticeAssessment.id)))).all())


async def resubmitted_fields(db) -> list[list[str]]:  # noqa: ANN001
    async with db.session() as session:
        rows = (await session.exec(select(PracticeEvent).where(
            PracticeEvent.kind == "resubmitted").order_by(col(PracticeEvent.id)))).all()
    return [list(e.field_names) for e in rows]


async def submit(lan: ChatDriver) -> None:
    await lan.open_menu()
    await lan.press("Gửi mô hình")
    await walk(lan, COMPLETE_PRACTICE)
    await lan.press("Gửi")
    assert CODE in lan.last_text, lan.last_text


async def bad_inputs_ask_again(lan: ChatDriver, question: str) -> None:
    """A sticker and a word where a score is asked: said so kindly, the same criterion again."""
    await lan.driver.sticker()
    assert "⚠️" in lan.last_text and question in lan.last_text, lan.last_text
    await lan.text("mười")
    assert "⚠️ Xin chọn một số từ 1 đến 5." in lan.last_text, lan.last_text
    assert question in lan.last_text and "(Câu trả lời hiện tại: 4/5)" in lan.last_text


@pytest.mark.parametrize("channel", ["telegram", "zalo_bot"])
async def test_a_rejected_practice_is_resent_with_a_changed_self_assessment_officials_see(
        channel, settings, clock, db, services, engine):  # noqa: ANN001
    async with people_on(channel, settings, clock, db, services, engine) as person:
        minh, lan = person("Minh"), person("Lan")
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
        await submit(lan)
        await person.settle()
        await minh.command("tracuu", CODE)
        await minh.press("❌ Không duyệt (kèm lý do)")
        await minh.text(REASON)
        await minh.press("Gửi")
        await person.settle()

        await lan.command("tracuu", CODE)
        await lan.press("✏️ Sửa và gửi lại")
        summary = lan.last_text  # the practice's fields and its current self-assessment
        assert "Kiểm tra lại mô hình" in summary and "Tiếng kẻng an ninh thôn" in summary
        assert "📋 Tự đánh giá theo tiêu chí:" in summary, summary
        assert f"• {MOBILISED}: 4/5" in summary and f"• {MONTHS}: 8 tháng" in summary
        await lan.press("✏️ Sửa")
        await lan.press("📋 Tự đánh giá")
        question = lan.last_text
        assert "📋 Tự đánh giá 1/5" in question and MOBILISED in question, question
        assert "(Câu trả lời hiện tại: 4/5)" in question
        await bad_inputs_ask_again(lan, MOBILISED)
        await lan.press("2 – Đạt một phần")
        assert "📋 Tự đánh giá 2/5" in lan.last_text, lan.last_text
        await walk(lan, SELF_ASSESSMENT[1:])
        summary = lan.last_text
        assert "Kiểm tra lại mô hình" in summary and f"• {MOBILISED}: 2/5" in summary, summary
        assert f"• {MONTHS}: 8 tháng" in summary and "Tiếng kẻng an ninh thôn" in summary
        await lan.press("Gửi")
        assert f"Đã gửi lại mô hình {CODE}" in lan.last_text, lan.last_text
        await person.settle()

        await minh.command("tracuu", CODE)  # the official scores the self-assessment sent now
        card = minh.last_text
        assert "📋 Đánh giá theo tiêu chí (tự đánh giá):" in card, card
        assert f"• {MOBILISED}: 2/5" in card and f"{MOBILISED}: 4/5" not in card
        assert "đã sửa và gửi lại (Tự đánh giá)" in card, card
        await minh.press("📋 Chấm theo tiêu chí")
        for score in ("3 – Đạt", "4 – Tốt", "Có", "3 – Đạt"):
            await minh.press(score)
        await minh.text("8")
        await minh.text("Đã điều chỉnh hợp lý.")
        card = minh.last_text
        assert f"• {MOBILISED}: 2/5 │ 3/5" in card, card
        await minh.press("👍 Duyệt")
        await person.settle()

        await lan.command("tracuu", CODE)  # hers, the latest; never the officials' scores
        mine = lan.last_text
        assert f"• {MOBILISED}: 2/5\n" in mine and f"{MOBILISED}: 4/5" not in mine, mine
        assert "│" not in mine and "cán bộ cấp cơ sở" not in mine, mine

    first, latest = await self_assessments(db)
    assert first.scores == FIRST_SCORES and first.practice_status == "submitted"
    assert latest.scores == {**FIRST_SCORES, "mobilised": 2}
    assert (latest.kind, latest.level, latest.criteria_version, latest.practice_status) == (
        "self", "commune", VERSION, "submitted")
    assert latest.assessor_id == first.assessor_id and latest.id > first.id
    assert await resubmitted_fields(db) == [["self_assessment"]]
    await public_record_shows_the_latest(settings, db, services, engine)
    await report_shows_the_latest(db, services, settings)


async def public_record_shows_the_latest(settings, db, services, engine) -> None:  # noqa: ANN001
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.metrics import Metrics
    from bot.web.server import create_web_app

    web_app = create_web_app(settings=settings, db=db, services=services, engine=engine,
                             metrics=Metrics())
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        response = await client.get(f"/api/practices/{CODE}")
        assert response.status == 200
        own, official = (await response.json())["assessments"]
    assert own["by"] == "self" and own["scores"][0]["value"] == 2
    assert official["by"] == "commune" and official["scores"][0]["value"] == 3


async def report_shows_the_latest(db, services, settings) -> None:  # noqa: ANN001
    from datetime import UTC, date, datetime

    from handlers.periods import Period
    from storage.repositories.officials import Scope

    sheets = await report_sheets(db, settings.flows.tz, Scope("commune", THANH_XUAN),
                                 Period(date(2026, 1, 1), date(2026, 12, 31)),
                                 services.media.root / "reports" / "criteria.xlsx",
                                 datetime(2026, 12, 31, tzinfo=UTC))
    rows = sheets["Đánh giá theo tiêu chí"]
    assert rows[1][:5] == (CODE, "Tiếng kẻng an ninh thôn", MOBILISED, "2/5", "3/5")


async def test_criteria_added_since_are_asked_answers_kept_and_a_restart_loses_nothing(
        settings, clock, db, tmp_path, capsys):  # noqa: ANN001
    """The commune imported its own criteria after the practice was sent: revising asks only
    those (a forged button refused on the way), a restart in the middle keeps the draft, and
    the new self-assessment carries the criteria in force now."""
    own = tmp_path / "thanh-xuan.yaml"
    own.write_text(OWN_CRITERIA, encoding="utf-8")
    settings = settings.updated(telegram_per_chat_rate=1000, telegram_global_rate=1000)
    async with FakeTelegram() as fake:
        user = fake.user(2001, first_name="Lan", language_code="vi")
        async with running_app(settings, fake, clock) as app:
            lan = TelegramChat(TelegramDriver(app, fake, user))
            await submit(lan)
            await lan.command("tracuu", CODE)
            await lan.press("↩️ Rút lại")
            await lan.press("↩️ Rút lại")
            status, _, _ = await dvk(settings, capsys, "criteria", "import", str(own),
                                     "--unit", THANH_XUAN)
            assert status == 0
            await lan.press("✏️ Sửa và gửi lại")
            question = lan.last_text
            assert f"Sửa và gửi lại mô hình {CODE}" in question, question
            assert "Tiêu chí của cấp cơ sở đã thay đổi" in question
            assert "xin trả lời thêm 2 tiêu chí" in question
            assert "📋 Tự đánh giá 6/7" in question and DIGITAL in question
            yes = user.last.button("Có")["callback_data"]
            await lan.driver.press_data(yes.rsplit(":", 1)[0] + ":maybe")  # never offered
            assert "⚠️ Nút này thuộc câu hỏi cũ" in lan.last_text, lan.last_text
            assert "📋 Tự đánh giá 6/7" in lan.last_text and DIGITAL in lan.last_text
            await lan.press("Có")
            assert "📋 Tự đánh giá 7/7" in lan.last_text and VOICE in lan.last_text

        async with running_app(settings, fake, clock) as app:  # a restart: the draft is kept
            lan = TelegramChat(TelegramDriver(app, fake, user))
            await lan.text("Bà con rất đồng tình.")
            summary = lan.last_text
            assert "Kiểm tra lại mô hình" in summary, summary
            for shown in (f"• {MOBILISED}: 4/5", f"• {MONTHS}: 8 tháng", f"• {DIGITAL}: Có",
                          f"• {VOICE}: Bà con rất đồng tình."):
                assert shown in summary, shown
            await lan.press("Gửi")
            assert f"Đã gửi lại mô hình {CODE}" in lan.last_text, lan.last_text
            await lan.command("cuatoi")
            assert f"• {DIGITAL}: Có" in lan.last_text, lan.last_text

    first, latest = await self_assessments(db)
    assert (first.criteria_version, first.scores) == (VERSION, FIRST_SCORES)
    assert latest.criteria_version == f"{VERSION}+{THANH_XUAN}#1"
    assert latest.scores == {**FIRST_SCORES, "digital": True,
                             "residents_voice": "Bà con rất đồng tình."}
    assert [c["code"] for c in latest.criteria][-2:] == ["digital", "residents_voice"]
    assert latest.practice_status == "submitted"
    assert await resubmitted_fields(db) == [["self_assessment"]]


@pytest.mark.parametrize("channel", ["zalo_bot", "web"])
async def test_asked_to_change_the_title_the_submitter_also_corrects_her_self_assessment(
        channel, settings, clock, db, services, engine):  # noqa: ANN001
    """Changes asked (not a rejection): the named field is asked again, then the summary shows
    the self-assessment, which she corrects too before sending it back."""
    async with people_on(channel, settings, clock, db, services, engine) as person:
        minh, lan = person("Minh"), person("Lan")
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
        await submit(lan)
        await person.settle()
        await minh.command("tracuu", CODE)
        await minh.press("✏️ Yêu cầu sửa")
        await minh.press("Tên mô hình")
        await minh.press("Xong, viết ghi chú")
        await minh.text("Đặt tên cụ thể hơn.")
        await minh.press("Gửi")
        await person.settle()

        await lan.command("tracuu", CODE)
        await lan.press("✏️ Sửa mô hình")
        assert "Tên mô hình, cách làm?" in lan.last_text, lan.last_text
        await lan.text("Tiếng kẻng an ninh thôn Đông Hà")
        summary = lan.last_text
        assert "Tiếng kẻng an ninh thôn Đông Hà" in summary, summary
        assert f"• {MOBILISED}: 4/5" in summary and "📋 Tự đánh giá theo tiêu chí:" in summary
        await lan.press("✏️ Sửa")
        await lan.press("📋 Tự đánh giá")
        await walk(lan, SELF_ASSESSMENT[:2])
        assert "(Câu trả lời hiện tại: Có)" in lan.last_text, lan.last_text
        await lan.press("Không")
        await walk(lan, SELF_ASSESSMENT[3:])
        assert ": Không" in lan.last_text and "Kiểm tra lại mô hình" in lan.last_text
        await lan.press("Gửi")
        assert f"Đã gửi lại mô hình {CODE}" in lan.last_text, lan.last_text
        await person.settle()

        await minh.command("tracuu", CODE)
        card = minh.last_text
        assert "đã sửa và gửi lại (Tên mô hình, Tự đánh giá)" in card, card
        assert "rõ thẩm quyền): Không" in card, card

    first, latest = await self_assessments(db)
    assert first.scores == FIRST_SCORES
    assert latest.scores == {**FIRST_SCORES, "six_clear": False}
    assert await resubmitted_fields(db) == [["title", "self_assessment"]]


async def test_a_criterion_asked_another_way_since_is_asked_again(
        settings, clock, db, tmp_path, capsys):  # noqa: ANN001
    """The commune's own criterion changed from yes/no to a score: the old "Có" means nothing
    to it, so it is asked again; the other answers are kept."""
    first, second = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    first.write_text(OWN_CRITERIA, encoding="utf-8")
    second.write_text(OWN_CRITERIA.replace("kind: yes_no", "kind: scale"), encoding="utf-8")
    settings = settings.updated(telegram_per_chat_rate=1000, telegram_global_rate=1000)
    assert (await dvk(settings, capsys, "criteria", "import", str(first), "--unit",
                      THANH_XUAN))[0] == 0
    async with FakeTelegram() as fake:
        user = fake.user(2001, first_name="Lan", language_code="vi")
        async with running_app(settings, fake, clock) as app:
            lan = TelegramChat(TelegramDriver(app, fake, user))
            await lan.open_menu()
            await lan.press("Gửi mô hình")
            await walk(lan, COMPLETE_PRACTICE)
            await lan.press("Có")
            await lan.text("Bà con rất đồng tình.")
            await lan.press("Gửi")
            assert CODE in lan.last_text, lan.last_text
            await lan.command("tracuu", CODE)
            await lan.press("↩️ Rút lại")
            await lan.press("↩️ Rút lại")
            assert (await dvk(settings, capsys, "criteria", "import", str(second), "--unit",
                              THANH_XUAN))[0] == 0
            await lan.press("✏️ Sửa và gửi lại")
            question = lan.last_text
            assert "xin trả lời thêm 1 tiêu chí" in question, question
            assert "📋 Tự đánh giá 6/7" in question and DIGITAL in question
            assert "3 – Đạt" in user.last.buttons
            await lan.press("3 – Đạt")
            summary = lan.last_text
            assert f"• {DIGITAL}: 3/5" in summary and f"• {VOICE}: Bà con rất đồng tình." \
                in summary, summary
            await lan.press("Gửi")
            assert f"Đã gửi lại mô hình {CODE}" in lan.last_text, lan.last_text

    sent, latest = await self_assessments(db)
    assert sent.scores["digital"] is True
    assert latest.criteria_version == f"{VERSION}+{THANH_XUAN}#2"
    assert latest.scores == {**FIRST_SCORES, "digital": 3,
                             "residents_voice": "Bà con rất đồng tình."}
