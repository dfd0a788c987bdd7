"""The officials' side through the engine: inbox pages, typed picks, forwarding, mid-flow safety,
removal, identity shown only for named feedback, notices in the reader's language, /stats."""

from __future__ import annotations

import ast
import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from handlers.replies import TextReply
from scheduler.outbox import OutboxWorker
from storage.models import (
    Feedback,
    OutboxMessage,
    Person,
    PracticeEvent,
    PracticeEventKind,
    Recognition,
)
from storage.repositories import officials as officials_repo
from tests.handlers.test_feedback import send_feedback
from tests.support.factories import make_invite, store_practice
from tests.support.officials import HOAN_KIEM, THANH_XUAN, RecordingChannel, feedback_walk


@pytest.fixture
def outbox(db, clock):
    channel = RecordingChannel()
    return channel, OutboxWorker(db, {"telegram": channel}, clock)


async def official(make_chat, db, clock, user_id=3001, unit=HOAN_KIEM, level="commune",
                   name="Minh"):
    chat = make_chat(user_id, name)
    await chat.command("start", await make_invite(db, clock, unit=unit, level=level))
    return chat


async def submitted_practice(make_chat, db, clock):
    """Lan, a leader who has used the bot, and a practice of hers awaiting review."""
    leader = make_chat(1001, "Lan")
    await leader.command("start")
    async with db.session() as session:
        lan = (await session.exec(select(Person).where(Person.display_name == "Lan"))).one()
    return leader, await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=lan.id)


async def test_inbox_pages_newest_first_and_typed_numbers_pick(make_chat, db, clock):
    citizen = make_chat(2001, "Hoa")
    for _ in range(6):
        await send_feedback(citizen, feedback_walk(photos=0))
        clock.advance(hours=5)  # one person sends at most 5 new feedback a day
    await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=999)
    minh = await official(make_chat, db, clock)
    await minh.command("hopthu")
    page = minh.last
    assert "Phản ánh đang mở: 6 · Mô hình chờ xem xét: 1" in page.text and "Trang 1/2" in page.text
    assert [o.value for o in page.options][:3] == ["pr_open:1", "fb_open:6", "fb_open:5"]
    assert page.options[-1].value == "inbox:2"
    await minh.press("Trang sau")
    assert "Trang 2/2" in minh.last.text
    assert [o.value for o in minh.last.options] == ["fb_open:2", "fb_open:1", "inbox:1"]
    await minh.text("2")  # typed, as on a channel without buttons: the second item
    assert "📣 Phản ánh PA-2026-000001" in minh.last.text
    await minh.press_raw("a", "inbox:150")  # past the last page: the last page
    assert "Trang 2/2" in minh.last.text


async def test_named_feedback_shows_identity_to_the_responsible_official(make_chat, db, clock):
    citizen = make_chat(2001, "Trần Văn Nam")
    await send_feedback(citizen, feedback_walk(anonymous=False, photos=0, phone="0912345678"))
    minh = await official(make_chat, db, clock)
    await minh.press_raw("a", "fb_open:1")
    assert "Người phản ánh: Trần Văn Nam · 📞 +84912345678" in minh.last.text
    other = await official(make_chat, db, clock, user_id=3002, unit=THANH_XUAN)
    await other.press_raw("a", "fb_open:1")
    assert other.last.text.startswith("⛔") and "Trần Văn Nam" not in other.last.text


async def test_forwarding_moves_the_feedback_to_the_other_unit(make_chat, db, clock, outbox):
    channel, worker = outbox
    citizen = make_chat(2001, "Hoa")
    await send_feedback(citizen, feedback_walk(photos=0))
    minh = await official(make_chat, db, clock)
    lan = await official(make_chat, db, clock, user_id=3002, unit=THANH_XUAN, name="Lan")
    await minh.press_raw("a", "fb_fwd:1")
    await minh.press("Một xã, phường, đặc khu khác")
    await minh.text("hoan kiem")
    await minh.text("Bỏ qua")
    await minh.press("Gửi")
    assert "Phản ánh đang ở đơn vị này rồi" in minh.last.text  # same unit: refused
    await minh.press_raw("a", "fb_fwd:1")
    await minh.press("Một xã, phường, đặc khu khác")
    await minh.text("thanh xuan")
    await minh.press("Phường Thanh Xuân, Thành phố Hà Nội")
    await minh.text("Địa điểm thuộc phường Thanh Xuân.")
    await minh.press("Gửi")
    assert "Đã chuyển phản ánh PA-2026-000001 đến Phường Thanh Xuân" in minh.last.text
    await worker.drain()
    assert any("được chuyển đến đơn vị của bạn" in t for t in channel.texts(3002))
    assert any("đã chuyển phản ánh đến Phường Thanh Xuân" in t for t in channel.texts(2001))
    await minh.press_raw("a", "fb_ack:1")
    assert minh.last.text.startswith("⛔")
    await lan.command("hopthu")
    assert "Đã chuyển đơn vị khác" in lan.last.text
    await lan.press("PA-2026-000001")
    await lan.press("Tiếp nhận")
    assert "«Đã tiếp nhận»" in lan.last.text


async def test_an_official_mid_form_is_safe(make_chat, db, clock):
    citizen = make_chat(2001, "Hoa")
    await send_feedback(citizen, feedback_walk(photos=0))
    await send_feedback(citizen, feedback_walk(photos=0))
    minh = await official(make_chat, db, clock)
    await minh.press_raw("a", "fb_reply:1")
    await minh.text("Trả lời cho phản ánh thứ nhất.")
    await minh.press_raw("a", "fb_reply:2")  # another form: refused, this one asked again
    assert "đang làm dở việc «trả lời phản ánh»" in minh.last.text
    assert "Kiểm tra lại câu trả lời" in minh.last.text
    await minh.press_raw("a", "fb_open:2")  # looking is fine; then back to the question
    texts = [r.text for r in minh.transcript[-2:] if isinstance(r, TextReply)]
    assert "Phản ánh PA-2026-000002" in texts[0] and "Kiểm tra lại câu trả lời" in texts[1]
    await minh.press("Gửi")
    assert "Đã gửi câu trả lời" in minh.last.text and "PA-2026-000001" in minh.last.text


async def test_a_removed_official_cannot_finish_what_they_started(make_chat, db, clock):
    citizen = make_chat(2001, "Hoa")
    await send_feedback(citizen, feedback_walk(photos=0))
    minh = await official(make_chat, db, clock)
    await minh.press_raw("a", "fb_reject:1")
    await minh.text("Không thuộc thẩm quyền.")
    async with db.session() as session:
        person = (await session.exec(select(Person).where(Person.display_name == "Minh"))).one()
        await officials_repo.remove_official(session, person_id=person.id)
        await session.commit()
    await minh.press("Gửi")
    assert minh.last.text.startswith("⛔") and "chỉ dành cho cán bộ" in minh.last.text
    await minh.command("hopthu")
    assert "Không có lệnh /hopthu" in minh.last.text
    async with db.session() as session:
        assert (await session.exec(select(Feedback))).one().status == "new"


async def test_direct_status_moves_follow_the_rules(make_chat, db, clock):
    citizen = make_chat(2001, "Hoa")
    await send_feedback(citizen, feedback_walk(photos=0))
    minh = await official(make_chat, db, clock)
    await minh.press_raw("a", "fb_set:1:in_progress")
    assert "«Đang xử lý»" in minh.last.text
    await minh.press_raw("a", "fb_ack:1")
    assert "không chuyển như vậy được" in minh.last.text
    await minh.press_raw("a", "fb_status:1")
    assert [o.value for o in minh.last.options] == ["fb_resolve:1", "fb_reject:1", "fb_open:1"]


async def test_notices_are_in_the_readers_language(make_chat, db, clock, outbox):
    channel, worker = outbox
    citizen = make_chat(2001, "Hoa")
    minh = await official(make_chat, db, clock)
    await minh.command("language")
    await minh.press("English")
    await send_feedback(citizen, feedback_walk(photos=0))
    await minh.command("inbox")
    assert "Inbox —" in minh.last.text
    await minh.press("PA-2026-000001")
    await minh.press("Reply")
    await minh.text("We will fix it this week.")
    await minh.press("Send")
    await worker.drain()
    assert any(t.startswith("📥 New feedback PA-2026-000001") for t in channel.texts(3001))
    assert any("Cán bộ dân vận Phường Hoàn Kiếm đã trả lời: «We will fix it this week.»" in t
               for t in channel.texts(2001))


async def test_each_notice_is_queued_once(make_chat, db, clock):
    leader, pid = await submitted_practice(make_chat, db, clock)
    minh = await official(make_chat, db, clock)
    await minh.press_raw("a", f"pr_changes:{pid}")
    await minh.text("3")
    await minh.press("Xong, viết ghi chú")
    await minh.text("Mô tả rõ hơn.")
    await minh.press("Gửi")
    await leader.press_raw("a", f"pr_edit:{pid}")
    await leader.text("Các hộ thay nhau trực đêm, có sổ giao ca.")
    await leader.press("Gửi")
    async with db.session() as session:
        keys = [m.idempotency_key for m in (await session.exec(select(OutboxMessage))).all()]
    resubmitted = [k for k in keys if ":resubmitted:" in k]
    assert len(resubmitted) == 1 and len(keys) == len(set(keys))


async def recognise(chat, pid: int, *, number: str | None = None,  # noqa: ANN001
                    day: str | None = None, confirm: bool = True) -> None:
    """Press recognise, confirm that no consultation closed (when asked), type or skip the
    decision's number and date."""
    await chat.press_raw("a", f"pr_rec:{pid}")
    if confirm:
        assert "chưa có đợt lấy ý kiến Nhân dân nào đã kết thúc" in chat.last.text
        await chat.press("Vẫn công nhận")
    assert "Số quyết định" in chat.last.text
    await (chat.text(number) if number else chat.press("Bỏ qua"))
    await (chat.text(day) if day else chat.press("Bỏ qua"))


async def test_commune_then_province_recognition(make_chat, db, clock, outbox):
    channel, worker = outbox
    leader, pid = await submitted_practice(make_chat, db, clock)
    minh = await official(make_chat, db, clock)
    city = await official(make_chat, db, clock, user_id=3009, unit="01", level="province")
    await city.press_raw("a", f"pr_rec:{pid}")
    assert "Chỉ công nhận được mô hình đã được duyệt" in city.last.text
    await minh.press_raw("a", f"pr_ok:{pid}")
    await recognise(minh, pid, number="125/QĐ-UBND", day="30/11/2026")
    assert "Đã công nhận điển hình cấp cơ sở" in minh.last.text
    assert "Điển hình cấp cơ sở năm 2026" in minh.last.text
    assert "QĐ số 125/QĐ-UBND ngày 30/11/2026" in minh.last.text
    await minh.press_raw("a", f"pr_rec:{pid}")
    assert "đã được công nhận điển hình ở cấp của bạn" in minh.last.text
    await city.press_raw("a", f"pr_rec:{pid}")  # 2026 is not a province's year by the calendar
    assert "Năm 2026 không phải năm công nhận điển hình cấp tỉnh" in city.last.text
    assert "2028, 2030" in city.last.text
    clock.advance(days=366)  # a year later the commune may recognise it again
    await minh.press_raw("a", f"pr_open:{pid}")
    assert any(o.value == f"pr_rec:{pid}" for o in minh.last.options)
    await worker.drain()
    assert sum("Chúc mừng" in t for t in channel.texts(1001)) == 1
    async with db.session() as session:
        [recognition] = (await session.exec(select(Recognition))).all()
    assert (recognition.level, recognition.year, recognition.decision_number,
            str(recognition.decision_date)) == ("commune", 2026, "125/QĐ-UBND", "2026-11-30")


async def test_a_province_never_recognises_on_the_day_the_commune_did(make_chat, db, clock):
    """The bug seen in the field: a province recognised a practice the day its commune
    approved it. In a province year (2028) it may recognise only what its commune recognised
    on an earlier day."""
    clock.set(clock.now().replace(year=2028, month=3, day=2))
    _, pid = await submitted_practice(make_chat, db, clock)
    minh = await official(make_chat, db, clock)
    city = await official(make_chat, db, clock, user_id=3009, unit="01", level="province")
    await minh.press_raw("a", f"pr_ok:{pid}")
    await city.press_raw("a", f"pr_rec:{pid}")
    assert "Chỉ công nhận được mô hình đã được công nhận điển hình cấp cơ sở" in city.last.text
    await recognise(minh, pid)
    await city.press_raw("a", f"pr_open:{pid}")
    assert not any(o.value == f"pr_rec:{pid}" for o in city.last.options)
    await city.press_raw("a", f"pr_rec:{pid}")
    assert "cấp trên xét công nhận từ ngày hôm sau" in city.last.text
    clock.advance(days=1)
    await recognise(city, pid, number="88/QĐ-UBND")
    assert "Đã công nhận điển hình cấp tỉnh" in city.last.text
    async with db.session() as session:
        found = [(r.level, r.year, r.decision_number)
                 for r in (await session.exec(select(Recognition))).all()]
    assert found == [("commune", 2028, None), ("province", 2028, "88/QĐ-UBND")]


async def test_stats_medians_and_satisfaction(make_chat, db, clock):
    citizen = make_chat(2001, "Hoa")
    await send_feedback(citizen, feedback_walk(photos=0))
    await send_feedback(citizen, feedback_walk(photos=0))
    minh = await official(make_chat, db, clock)
    clock.advance(hours=2)
    await minh.press_raw("a", "fb_reply:1")
    await minh.text("Đã nhận.")
    await minh.press("Gửi")
    clock.advance(hours=2)
    await minh.press_raw("a", "fb_reply:2")
    await minh.text("Đã nhận.")
    await minh.press("Gửi")
    clock.advance(days=3)
    await minh.press_raw("a", "fb_resolve:1")
    await minh.text("Xong.")
    await minh.press("Không có ảnh (nêu lý do)")
    await minh.text("Không cần.")
    await minh.press("Gửi")
    await citizen.press_raw("a", "fb_rate:1:5")
    await minh.command("thongke")
    text = minh.last.text
    assert "Phản ánh: 2" in text and "Đã giải quyết 1" in text and "Đã tiếp nhận 1" in text
    assert "(trung vị): 3 giờ 0 phút" in text  # 2 h and 4 h
    assert "giải quyết (trung vị): 3 ngày 4 giờ" in text
    assert "5.0/5 (1 lượt" in text
    await citizen.command("thongke")
    assert "Không có lệnh /thongke" in citizen.last.text


def test_handlers_never_import_a_channel():
    """Flows and official actions are channel-neutral."""
    root = Path(__file__).resolve().parents[2] / "handlers"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("telegram", "bot.")), (path, name)


async def test_reopen_window_counts_from_resolution(make_chat, db, clock):
    citizen = make_chat(2001, "Hoa")
    await send_feedback(citizen, feedback_walk(photos=0))
    minh = await official(make_chat, db, clock)
    clock.advance(days=10)  # ten days in the making do not count
    await minh.press_raw("a", "fb_resolve:1")
    await minh.text("Xong.")
    await minh.press("Không có ảnh (nêu lý do)")
    await minh.text("Không cần.")
    await minh.press("Gửi")
    clock.advance(timedelta(days=14) - timedelta(minutes=1))
    await citizen.press_raw("a", "fb_reopen:1")
    assert "Vì sao bạn thấy" in citizen.last.text


def test_only_the_officials_renderer_reads_a_senders_identity():
    """Anonymity by construction: outside storage, the reporter's name and phone are written
    once (when feedback is stored) and read in one place (`handlers/officials/render.py`)."""
    root = Path(__file__).resolve().parents[2]
    readers = set()
    for folder in ("handlers", "bot", "scheduler"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if ".reporter_name" in text or ".reporter_phone" in text:
                readers.add(path.relative_to(root).as_posix())
    assert readers <= {"handlers/officials/render.py"}, readers


async def test_two_officials_deciding_one_practice_at_once_make_one_decision(
    make_chat, db, clock
):
    """On PostgreSQL the two turns really overlap: each must see the other's decision."""
    leader, pid = await submitted_practice(make_chat, db, clock)
    minh = await official(make_chat, db, clock)
    hoa = await official(make_chat, db, clock, user_id=3002, name="Hoa")

    await asyncio.gather(minh.press_raw("a", f"pr_ok:{pid}"), hoa.press_raw("a", f"pr_ok:{pid}"))

    async with db.session() as session:
        approvals = (await session.exec(select(PracticeEvent).where(
            PracticeEvent.practice_id == pid,
            PracticeEvent.kind == PracticeEventKind.APPROVED))).all()
        keys = [m.idempotency_key for m in (await session.exec(select(OutboxMessage))).all()]
    assert len(approvals) == 1
    leads = sorted(chat.last.text.split("\n")[0][:1] for chat in (minh, hoa))
    assert leads == ["⚠", "✅"], [minh.last.text, hoa.last.text]
    decisions = [k for k in keys if k.startswith(f"pr:{pid}:ev:")]
    assert len(decisions) == len(set(decisions)) == 1  # the leader is told once


async def test_with_no_official_anywhere_the_receipt_is_honest_and_the_operator_warned(
        make_chat, db, clock, caplog):
    """Nobody at the commune, the province or the centre: the receipt does not promise an
    answer, the log tells the operator (without the citizen's data), and the first official
    invited there finds the feedback in their inbox."""
    citizen = make_chat(2001, "Trần Văn Nam")
    with caplog.at_level("WARNING", logger="handlers.officials.notices"):
        receipt = await send_feedback(citizen, feedback_walk(anonymous=False, photos=0,
                                                             phone="0912345678"))
    assert "Mã tiếp nhận: PA-2026-000001" in receipt
    assert "Hiện chưa có cán bộ dân vận nào nhận phản ánh ở nơi này" in receipt
    assert "sẽ xem xét" not in receipt and "Đã gửi phản ánh tới cán bộ" not in receipt
    [warning] = [r for r in caplog.records if r.name == "handlers.officials.notices"]
    assert (warning.item, warning.unit) == ("PA-2026-000001", HOAN_KIEM)
    assert "Nam" not in warning.getMessage() and "0912345678" not in str(warning.__dict__)

    minh = await official(make_chat, db, clock)
    await minh.command("hopthu")
    assert "PA-2026-000001" in minh.last.text

    # With an official there, the next receipt makes the usual promise.
    receipt = await send_feedback(citizen, feedback_walk(photos=0))
    assert "Hiện chưa có cán bộ" not in receipt and "PA-2026-000002" in receipt
