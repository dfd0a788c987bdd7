"""The movement's cycle end to end on Telegram and Zalo Bot (each its real adapter against its
fake platform over HTTP, the whole `App`, real SQLite or PostgreSQL, the injected clock):

a leader sends a practice with their self-assessment against the commune's criteria → the
commune official scores it against the same criteria and approves it → the official opens a
residents' consultation → the commune's followers are invited through the outbox → residents
(and a visitor, not counted) answer with /dongthuan → recognising before it closes asks to
confirm → the scheduler closes it at its end and tells the official the result → the commune
recognises it (decision number and date) and nominates it to the province → the province sees
the nomination in its inbox, cannot recognise in 2026 (not its cycle year by the calendar),
scores it against the province's criteria and recognises it in 2028 → the API shows the highest
level, the history, the assessments and the consultation's counts, never who answered; the
province's XLSX carries the same and the contributions."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlmodel import select

from bot.app import App
from handlers.periods import Period
from storage.models import (
    Consultation,
    ConsultationVote,
    Nomination,
    Practice,
    PracticeAssessment,
    Recognition,
)
from storage.repositories.officials import Scope
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support import telegram_harness
from tests.support.chat_driver import ChatDriver, walk
from tests.support.factories import make_invite
from tests.support.officials import HANOI, THANH_XUAN
from tests.support.openapi import assert_fits
from tests.support.practice_walk import COMPLETE_PRACTICE, Step
from tests.support.reports import report_sheets
from tests.zalo_bot import harness as zalo_harness

CHANNELS = ["telegram", "zalo_bot"]
PLACE = "Phường Thanh Xuân, Thành phố Hà Nội"
TITLE = "Tổ liên gia tự quản đường Láng"
IN_2028 = datetime(2028, 3, 1, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, a province year


@asynccontextmanager
async def on_channel(channel: str, settings, clock  # noqa: ANN001
                     ) -> AsyncIterator[tuple[App, Callable[[str], ChatDriver], Callable]]:
    """The running app, a maker of people's chats, and how an official joins on it."""
    fast = settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)
    if channel == "telegram":
        async with FakeTelegram() as fake, \
                telegram_harness.running_app(fast, fake, clock) as app:
            ids = iter(range(2001, 3000))

            def person(name: str) -> ChatDriver:
                return telegram_harness.TelegramChat(telegram_harness.TelegramDriver(
                    app, fake, fake.user(next(ids), first_name=name, language_code="vi")))

            async def join(chat: ChatDriver, token: str) -> None:
                await chat.command("start", token)

            yield app, person, join
            assert fake.errors == []
    else:
        async with FakeZaloBot() as fake, zalo_harness.running_app(fast, clock, fake) as app:
            ids = iter(range(8_412_001, 8_413_000))

            def person(name: str) -> ChatDriver:
                return zalo_harness.ZaloBotChat(zalo_harness.ZaloDriver(
                    app, fake, fake.user(str(next(ids)), name)))

            async def join(chat: ChatDriver, token: str) -> None:
                await chat.command("moi", token)  # no deep links on Zalo: the code is typed

            yield app, person, join
            assert fake.errors == [], fake.errors


async def sent_scored_and_approved(leader: ChatDriver, official: ChatDriver,
                                   settle: Callable) -> str:
    """The leader sends the practice with their self-assessment (the walk ends with it); the
    commune official reads both on the card, scores it against the same criteria, approves."""
    await leader.command("mohinh")
    await walk(leader, [Step("title", "text", TITLE) if step.field == "title" else step
                        for step in COMPLETE_PRACTICE])
    assert "📋 Tự đánh giá theo tiêu chí:" in leader.last_text, leader.last_text
    await leader.press("Gửi")
    [code] = re.findall(r"MH-\d{4}-\d{6}", leader.last_text)
    await settle()  # the notice of the new practice to the official
    await official.command("tracuu", code)
    assert "📋 Đánh giá theo tiêu chí (tự đánh giá):" in official.last_text
    await official.press("📋 Chấm theo tiêu chí")
    for score in ("4 – Tốt", "4 – Tốt", "Có", "5 – Rất tốt"):
        await official.press(score)
    await official.text("8")  # months running
    await official.text("Đủ hồ sơ; đề nghị lấy ý kiến Nhân dân.")
    assert "📋 Đánh giá theo tiêu chí (tự đánh giá │ cán bộ cấp cơ sở):" in official.last_text
    await official.press("👍 Duyệt")
    assert "Đã duyệt" in official.last_text, official.last_text
    await settle()  # the approval's notice to the leader
    return code


async def answer(chat: ChatDriver, *, resident: bool, agree: bool, stars: int,
                 comment: str | None) -> None:
    await chat.command("dongthuan")
    if resident:  # they follow the commune whose consultation invited them: it is offered
        await chat.press("📍 " + PLACE)
    else:
        await chat.text("thanh xuan")
        await chat.press(PLACE)
    await chat.press("🏠 Có, tôi sống ở đây" if resident else "🚶 Không, tôi không sống ở đây")
    assert "Đang lấy ý kiến Nhân dân (1)" in chat.last_text
    await chat.press("🗳 " + TITLE)
    assert "Bạn có đồng thuận với mô hình này không?" in chat.last_text
    await chat.press("👍 Đồng thuận" if agree else "👎 Chưa đồng thuận")
    await chat.press("⭐" * stars)
    assert "Góp ý thêm?" in chat.last_text
    await (chat.text(comment) if comment else chat.press("Bỏ qua"))
    assert "Cảm ơn bạn đã cho ý kiến về mô hình" in chat.last_text
    assert ("không được tính" in chat.last_text) is not resident


def whole_answer(chat: ChatDriver) -> str:
    """The answer to the last action in full: a long one (a card with its assessments) comes
    in several messages on Zalo Bot, which takes 2000 characters a message."""
    if isinstance(chat, zalo_harness.ZaloBotChat):
        return chat.answer_text
    return chat.last_text


async def api_practice(app: App, code: str) -> dict:
    """The practice as the API gives it, checked against the API's OpenAPI description."""
    async with aiohttp.ClientSession(base_url=app.web.url) as web:
        async with web.get(f"/api/practices/{code}") as response:
            assert response.status == 200
            record = await response.json()
        async with web.get("/api/openapi.json") as response:
            document = await response.json()
    assert_fits(document, "PracticePublic", record)
    return record


@pytest.mark.parametrize("channel", CHANNELS)
async def test_consultation_recognition_nomination_and_the_province_cycle(
        channel, settings, clock, db, tmp_path) -> None:  # noqa: ANN001
    async with on_channel(channel, settings, clock) as (app, person, join):
        minh, thanh, tu = person("Minh"), person("Thành"), person("Tư")
        await join(minh, await make_invite(db, clock, unit=THANH_XUAN))
        await join(thanh, await make_invite(db, clock, unit=HANOI, level="province"))
        code = await sent_scored_and_approved(tu, minh, app.outbox.drain)
        residents = [person("Hoa"), person("Lan")]
        for resident in residents:
            await resident.command("theodoi", "thanh xuan")
            await resident.press(PLACE)
            assert "Đã theo dõi" in resident.last_text

        # The commune official opens a consultation for 7 days: the followers are invited.
        await minh.command("tracuu", code)
        await minh.press("🗳 Lấy ý kiến Nhân dân")
        assert "Lấy ý kiến trong bao nhiêu ngày?" in minh.last_text
        await minh.text("100")
        assert "⚠️" in minh.last_text and "1 đến 90" in minh.last_text  # asked again
        await minh.text("bảy")  # numbers in words are understood
        assert "Đã mở lấy ý kiến Nhân dân đến 07/12/2026 09:00" in minh.last_text
        assert "đã mời 2 người" in minh.last_text
        for resident in residents:
            [invite] = await resident.notices()
            assert f"Xin ý kiến của bạn về mô hình {code}" in invite and "/dongthuan" in invite

        await answer(residents[0], resident=True, agree=True, stars=4,
                     comment="Nên làm thêm ở tổ 6")
        await answer(residents[1], resident=True, agree=True, stars=5, comment=None)
        visitor = person("Khách")
        if channel == "telegram":  # a consultation the bot never offered them: nothing
            await visitor.command("start")
            await visitor.driver.press_data("a:cs_consult:1")  # type: ignore[attr-defined]
            assert "Đợt lấy ý kiến này đã kết thúc" in visitor.last_text
        await answer(visitor, resident=False, agree=False, stars=1, comment="Ồn ào quá")

        # Recognising before the consultation closed is asked again; "not yet" keeps it.
        await minh.command("tracuu", code)
        assert "Đang lấy ý kiến Nhân dân đến 07/12/2026 09:00: 2 ý kiến được tính" \
            in minh.last_text
        await minh.press("🏅 Công nhận điển hình")
        assert "chưa có đợt lấy ý kiến Nhân dân nào đã kết thúc" in minh.last_text
        await minh.press("↩️ Không, lấy ý kiến trước")
        assert "Chưa công nhận" in minh.last_text

        # The scheduler closes it at its end and tells the official the result.
        clock.advance(days=7, minutes=1)
        await app.scheduler.tick()
        [closed] = await minh.notices()
        assert f"Đã kết thúc lấy ý kiến Nhân dân về mô hình {code}" in closed
        assert ("2 đồng thuận · 0 chưa đồng thuận · hài lòng 4.5/5 (2 ý kiến được tính, "
                "đã mời 2 người)") in closed
        assert "«Nên làm thêm ở tổ 6»" in closed
        assert "Ồn ào" not in closed and "Hoa" not in closed and "Lan" not in closed

        # The commune recognises it, with the decision, and nominates it to the province.
        await minh.command("tracuu", code)
        await minh.press("🏅 Công nhận điển hình")
        assert "Số quyết định công nhận" in minh.last_text  # consulted: no confirmation
        await minh.text("125/QĐ-UBND")
        await minh.text("31/02/2026")
        assert "Hãy gõ ngày theo dạng ngày/tháng/năm" in minh.last_text
        await minh.text("07/12/2026")
        assert "Đã công nhận điển hình cấp cơ sở" in whole_answer(minh)
        assert "Điển hình cấp cơ sở năm 2026 (Phường Thanh Xuân" in whole_answer(minh)
        assert "QĐ số 125/QĐ-UBND ngày 07/12/2026" in whole_answer(minh)
        await minh.press("📤 Đề cử lên cấp tỉnh")
        await minh.text("Huy động 250 hộ, không còn trộm cắp; nhân rộng ra 3 phường.")
        assert "Đã đề cử lên cấp tỉnh" in whole_answer(minh)
        assert "Đề cử lên cấp tỉnh ngày 07/12/2026" in whole_answer(minh)

        # The province sees it in its inbox; 2026 is not its year by the calendar.
        notices = await thanh.notices()
        assert any("được cấp cơ sở đề cử" in n for n in notices)
        await thanh.command("hopthu")
        assert "Mô hình được đề cử chờ xét: 1" in thanh.last_text
        await thanh.press(f"🏅 {code}")
        assert "Năm 2026 không phải năm công nhận điển hình cấp tỉnh" in thanh.last_text
        assert "(các năm: 2028, 2030)" in thanh.last_text
        if channel == "telegram":  # no button to recognise; a forged one is refused
            driver = thanh.driver  # type: ignore[attr-defined]
            assert not any("Công nhận" in b for b in driver.last.buttons)
            await driver.press_data(f"a:pr_rec:{await _id(db, code)}")
            assert "Năm 2026 không phải năm công nhận điển hình cấp tỉnh" in thanh.last_text

        # In 2028 it recognises it at province level.
        clock.set(IN_2028)
        await thanh.command("hopthu")
        await thanh.press(f"🏅 {code}")
        await thanh.press("📋 Chấm theo tiêu chí")  # against the province's criteria
        assert f"Chấm mô hình {code} theo tiêu chí cấp tỉnh: 6 tiêu chí" in thanh.last_text
        for score in ("5 – Rất tốt", "4 – Tốt", "Có", "5 – Rất tốt", "Có", "Bỏ qua"):
            await thanh.press(score)
        await thanh.press("Bỏ qua")  # no comment
        card = whole_answer(thanh)
        assert "(tự đánh giá │ cán bộ cấp cơ sở │ cán bộ cấp tỉnh):" in card, card
        await thanh.press("🏅 Công nhận điển hình")
        await thanh.text("88/QĐ-UBND")
        await thanh.text("01/03/2028")
        assert "Đã công nhận điển hình cấp tỉnh" in whole_answer(thanh)
        await thanh.command("hopthu")
        assert "đề cử chờ xét" not in thanh.last_text

        shown = await api_practice(app, code)
        async with aiohttp.ClientSession(base_url=app.web.url) as web, \
                web.get(f"/practices/{code}") as response:
            page = await response.text()
    assert ("Lấy ý kiến Nhân dân: 2 đồng thuận · 0 chưa đồng thuận · hài lòng 4.5/5 "
            "(2 ý kiến được tính)") in page
    assert "Nên làm thêm" not in page and "Ồn ào" not in page
    assert shown["level"] == "province"
    assert (shown["contribution_workdays"], shown["contribution_money_vnd"],
            shown["contribution_money_words"]) == (120, 15_000_000, "mười lăm triệu đồng")
    assert [(r["level"], r["year"], r["decision_number"], r["decision_date"], r["consulted"])
            for r in shown["recognitions"]] == [
        ("commune", 2026, "125/QĐ-UBND", "2026-12-07", True),
        ("province", 2028, "88/QĐ-UBND", "2028-03-01", True)]
    assert [(a["by"], a["criteria_version"], {c["code"]: c["value"] for c in a["scores"]})
            for a in shown["assessments"]] == [
        ("self", "common@2026.1+commune@2026.1", {"mobilised": 4, "people_roles": 5,
         "six_clear": True, "lasting": 4, "months_running": 8}),
        ("commune", "common@2026.1+commune@2026.1", {"mobilised": 4, "people_roles": 4,
         "six_clear": True, "lasting": 5, "months_running": 8}),
        ("province", "common@2026.1+province@2026.1", {"mobilised": 5, "people_roles": 4,
         "six_clear": True, "lasting": 5, "replicated": True, "hard_task": None})]
    assert "Đủ hồ sơ" not in str(shown)  # officials' comments stay theirs
    [consultation] = shown["consultations"]
    assert (consultation["votes"], consultation["agree"], consultation["disagree"],
            consultation["satisfaction_avg"], consultation["comments"]) == (2, 2, 0, 4.5, 1)
    assert "Nên làm thêm" not in str(shown) and "Hoa" not in str(shown)

    async with db.session() as session:
        votes = (await session.exec(select(ConsultationVote))).all()
        [stored] = (await session.exec(select(Consultation))).all()
        [nomination] = (await session.exec(select(Nomination))).all()
        recognitions = (await session.exec(select(Recognition))).all()
        assessed = (await session.exec(select(PracticeAssessment))).all()
    assert sorted((v.agrees, v.satisfaction, v.resident_of) for v in votes) == [
        (False, 1, None), (True, 4, THANH_XUAN), (True, 5, THANH_XUAN)]
    assert (stored.invited, stored.votes, stored.agree, stored.satisfaction_avg) == (2, 2, 2, 4.5)
    assert nomination.to_level == "province" and nomination.target_unit_code == HANOI
    assert nomination.decided_at is not None and nomination.recognition_id == recognitions[1].id
    assert all(r.consultation_id == stored.id for r in recognitions)
    # The province's XLSX over the cycle: the recognition history with each consultation's
    # result, the consultation, the contributions, the assessments side by side.
    sheets = await province_workbook(db, tmp_path / "province.xlsx")
    assert [row[2:] for row in sheets["Điển hình được công nhận"][1:]] == [
        ("Cấp cơ sở", PLACE, "07/12/2026", 2026, "125/QĐ-UBND", "07/12/2026",
         "2/2 đồng thuận, hài lòng 4.5/5"),
        ("Cấp tỉnh", "Thành phố Hà Nội", "01/03/2028", 2028, "88/QĐ-UBND", "01/03/2028",
         "2/2 đồng thuận, hài lòng 4.5/5")]
    [_, consulted] = sheets["Lấy ý kiến Nhân dân"]
    assert consulted[5:] == (2, 2, 2, 0, 4.5, "Nên làm thêm ở tổ 6")  # not the visitor's
    [_, listed] = sheets["Danh sách mô hình"]
    assert listed[4] == "Cấp tỉnh" and listed[10:13] == (120, 15_000_000, "mười lăm triệu đồng")
    scored = {row[2]: row[3:6] for row in sheets["Đánh giá theo tiêu chí"][1:]}
    assert scored["Vận động được nhiều người, tổ chức, lực lượng tham gia"] == ("4/5", "4/5",
                                                                               "5/5")
    assert scored["Đã được nhân rộng ra thôn, xã khác"] == (None, None, "Có")
    assert scored["Nhận xét của cán bộ"] == (None, "Đủ hồ sơ; đề nghị lấy ý kiến Nhân dân.", None)
    assert [(a.kind, a.level, a.practice_status, a.comment) for a in assessed] == [
        ("self", "commune", "submitted", None),
        ("review", "commune", "submitted", "Đủ hồ sơ; đề nghị lấy ý kiến Nhân dân."),
        ("review", "province", "recognised", None)]


async def province_workbook(db, path: Path) -> dict[str, list[tuple]]:  # noqa: ANN001
    """The province's XLSX report over the cycle (2026-2028), sheet by sheet."""
    return await report_sheets(db, ZoneInfo("Asia/Ho_Chi_Minh"), Scope("province", HANOI),
                               Period(date(2026, 1, 1), date(2028, 12, 31)), path, IN_2028)


async def _id(db, code: str) -> int:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Practice.id).where(Practice.code == code))).one()
