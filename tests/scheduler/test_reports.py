"""The XLSX report: it opens with openpyxl, its numbers equal those computed from the
database for a seeded jurisdiction, and anonymous feedback stays anonymous."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from statistics import median

from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col, func, select

from handlers.i18n import Translator
from handlers.periods import Period, parse_period
from handlers.replies import DocumentReply, from_payload
from storage.models import Feedback, OutboxMessage, Person, Practice, Recognition
from tests.scheduler.factories import (
    CUA_NAM,
    HA_NOI,
    HCM,
    HOAN_KIEM,
    VUNG_TAU,
    add_deadline,
    clear_calendar,
)
from tests.scheduler.test_reminders import VN, local, run
from tests.support.factories import add_feedback, add_person, add_practice, recognise

SECRET_NAME, SECRET_PHONE = "Nguyễn Bí Mật", "0912345678"
NAMED, NAMED_PHONE = "Trần Văn Công Khai", "0987654321"
H1 = Period(date(2027, 1, 1), date(2027, 6, 30))
T = Translator("vi")


def at(month: int, day: int, hour: int = 3) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


async def seed(db, clock) -> Person:  # noqa: ANN001
    """Hà Nội (two wards) in the first half of 2027, plus items outside it in place or time."""
    now = at(1, 1)
    official = await add_person(db, now=now, name="Cán bộ tỉnh", role="official",
                                level="province", unit=HA_NOI, telegram=9_800_001)
    leader = await add_person(db, now=now)
    citizen = await add_person(db, now=now, name=SECRET_NAME)
    await add_practice(db, leader.id, created=at(2, 1))
    await add_practice(db, leader.id, created=at(2, 2))
    approved = await add_practice(db, leader.id, created=at(2, 3), status="approved")
    honoured = await add_practice(db, leader.id, created=at(2, 4), status="recognised",
                                  field="culture_society")
    await add_practice(db, leader.id, created=at(3, 5), commune=CUA_NAM,
                       status="changes_requested", field="defence_security")
    older = await add_practice(db, leader.id, created=datetime(2026, 12, 20, tzinfo=UTC))
    elsewhere = await add_practice(db, leader.id, created=at(2, 1), commune=VUNG_TAU,
                                   province=HCM)
    await recognise(db, approved, level="commune", by=official.id, at=at(3, 1), unit=HOAN_KIEM)
    await recognise(db, honoured, level="commune", by=official.id, at=at(3, 2), unit=HOAN_KIEM)
    await recognise(db, honoured, level="province", by=official.id, at=at(4, 1), unit=HA_NOI)
    await recognise(db, older, level="commune", by=official.id, at=at(2, 10), unit=HOAN_KIEM)
    await recognise(db, elsewhere, level="commune", by=official.id, at=at(3, 1), unit=VUNG_TAU)
    start = at(3, 1, 0)
    await add_feedback(db, citizen.id, created=start, status="resolved", name=SECRET_NAME,
                       phone=SECRET_PHONE, first_answered=start + timedelta(hours=2),
                       resolved=start + timedelta(hours=50), satisfaction=4)
    await add_feedback(db, citizen.id, created=at(3, 2), commune=CUA_NAM,
                       category="infrastructure", status="in_progress", anonymous=False,
                       name=NAMED, phone=NAMED_PHONE,
                       first_answered=at(3, 2) + timedelta(hours=10))
    await add_feedback(db, citizen.id, created=at(4, 1))
    await add_feedback(db, citizen.id, created=at(5, 1), status="resolved", anonymous=False,
                       name=NAMED, first_answered=at(5, 1) + timedelta(hours=1),
                       resolved=at(5, 1) + timedelta(hours=20), satisfaction=2)
    await add_feedback(db, citizen.id, created=at(3, 1), commune=VUNG_TAU, province=HCM)
    await add_feedback(db, citizen.id, created=datetime(2026, 12, 1, tzinfo=UTC))
    return official


async def expected_from_database(db) -> dict[str, object]:  # noqa: ANN001
    """The figures, straight from SQL over the whole database."""
    start, end = H1.bounds(VN)
    async with db.session() as session:
        practices = (await session.exec(select(Practice).where(
            Practice.province_code == HA_NOI, Practice.created_at >= start,
            Practice.created_at < end))).all()
        recognitions = (await session.exec(
            select(func.count()).select_from(Recognition)
            .join(Practice, col(Practice.id) == col(Recognition.practice_id))
            .where(Practice.province_code == HA_NOI, Recognition.recognised_at >= start,
                   Recognition.recognised_at < end))).one()
        feedback = (await session.exec(select(Feedback).where(
            Feedback.assigned_province_code == HA_NOI, Feedback.created_at >= start,
            Feedback.created_at < end))).all()
    answered = [(f.first_answered_at - f.created_at).total_seconds() / 3600
                for f in feedback if f.first_answered_at]
    resolved = [(f.resolved_at - f.created_at).total_seconds() / 3600
                for f in feedback if f.resolved_at]
    ratings = [f.satisfaction for f in feedback if f.satisfaction]
    by_field: dict[str, dict[str, int]] = {}
    for p in practices:
        by_field.setdefault(p.field, {}).setdefault(p.status, 0)
        by_field[p.field][p.status] += 1
    return {
        T("report.row.practices"): len(practices),
        T("report.row.recognitions"): recognitions,
        T("report.row.feedback"): len(feedback),
        T("report.row.feedback_resolved"): sum(f.status == "resolved" for f in feedback),
        T("report.row.median_first_answer"): round(median(answered), 1),
        T("report.row.median_resolution"): round(median(resolved), 1),
        T("report.row.satisfaction"): round(sum(ratings) / len(ratings), 2),
        T("report.row.ratings"): len(ratings),
        "by_field": by_field,
    }


def summary(book) -> dict[str, object]:  # noqa: ANN001
    sheet = book[T("report.sheet.summary")]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def crosstab(book, name: str) -> dict[str, dict[str, int]]:  # noqa: ANN001
    rows = list(book[T(name)].iter_rows(values_only=True))
    header = rows[0]
    return {row[0]: {header[i]: row[i] for i in range(1, len(header)) if row[i]}
            for row in rows[1:]}


def documents(fake, chat_id: int) -> list:  # noqa: ANN001
    return [m for m in fake.messages(chat_id) if m.kind == "document"]


async def outbox_replies(db) -> list:  # noqa: ANN001
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    return [reply for row in rows for reply in from_payload(row.payload)]


def all_cells(book) -> str:  # noqa: ANN001
    return "\n".join(str(value) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for value in row if value is not None)


async def test_the_report_opens_and_its_numbers_equal_the_database(
    db, clock, services, make_chat, make_service, fake
) -> None:
    """/report answers at once; the workbook is built in a child process (the worker's default
    executor) and arrives through the outbox."""
    await seed(db, clock)
    clock.set(at(7, 2))
    expected = await expected_from_database(db)
    chat = make_chat(user_id=9_800_101, name="Cán bộ tỉnh Hà Nội")
    await chat.command("start")
    async with db.session() as session:
        await session.exec(update(Person).where(Person.display_name == "Cán bộ tỉnh Hà Nội")
                           .values(role="official", level="province", unit_code=HA_NOI))
        await session.commit()

    [answer] = await chat.command("report", "2027-h1")
    assert answer.text == T("report.queued", jurisdiction="Thành phố Hà Nội",
                            period="01/01/2027 - 30/06/2027")
    service = make_service()
    try:
        assert await service.ondemand_reports.run() == 1
    finally:
        await service.ondemand_reports.stop()
    await service.outbox.drain()

    [sent] = documents(fake, 9_800_101)
    assert sent.plain_text == T("report.ready", jurisdiction="Thành phố Hà Nội",
                                period="01/01/2027 - 30/06/2027", practices=5, feedback=4)
    [document] = [r for r in await outbox_replies(db) if isinstance(r, DocumentReply)]
    assert isinstance(document, DocumentReply) and document.filename.endswith(".xlsx")
    book = load_workbook(services.media.root / document.path)
    figures = summary(book)
    assert figures[T("report.row.jurisdiction")] == "Thành phố Hà Nội"
    assert figures[T("report.row.period")] == "01/01/2027 - 30/06/2027"
    for label, value in expected.items():
        if label != "by_field":
            assert figures[label] == value, label
    # and by hand, so a wrong query in both places would still be caught
    assert [figures[T(f"report.row.{k}")] for k in (
        "practices", "recognitions", "feedback", "feedback_resolved", "median_first_answer",
        "median_resolution", "satisfaction", "ratings")] == [5, 4, 4, 2, 2.0, 35.0, 3.0, 2]

    by_field = crosstab(book, "report.sheet.practices_by_field")
    for field, statuses in expected["by_field"].items():
        row = by_field[T(f"option.field.{field}")]
        assert {s: row[T(f"status.practice.{s}")] for s in statuses} == statuses
        assert row[T("report.total")] == sum(statuses.values())
    assert by_field[T("report.total")][T("report.total")] == 5
    levels = {row[0]: row[1] for row in book[T("report.sheet.practices_by_level")]
              .iter_rows(min_row=2, values_only=True)}
    assert levels == {T("deadline.level.central"): 0, T("deadline.level.province"): 1,
                      T("deadline.level.commune"): 1, T("report.not_recognised"): 3}
    by_category = crosstab(book, "report.sheet.feedback_by_category")
    assert by_category[T("report.total")][T("report.total")] == 4


async def test_anonymous_feedback_stays_anonymous_and_no_phone_appears(
    db, clock, services
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from scheduler.report_process import ReportBuilder
    from storage.repositories.officials import Scope

    await seed(db, clock)
    path = services.media.root / "reports" / "check.xlsx"
    builder = ReportBuilder(db.url, VN, executor=lambda: ThreadPoolExecutor(1))
    try:
        await builder.build(Scope("province", HA_NOI), H1, path, at(7, 2))
    finally:
        builder.close()
    cells = all_cells(load_workbook(path))

    assert SECRET_NAME not in cells
    assert SECRET_PHONE not in cells and NAMED_PHONE not in cells
    assert NAMED in cells and T("report.anonymous") in cells


async def test_officials_receive_the_report_of_their_jurisdiction_on_the_report_date(
    db, clock, fake, make_service
) -> None:
    await clear_calendar(db)
    await seed(db, clock)
    await add_person(db, now=at(1, 1), role="official", level="province", unit=HCM,
                     telegram=9_800_002)
    await add_deadline(db, due=date(2027, 6, 30), level="province", kind="report_6m",
                       title="Báo cáo 6 tháng đầu năm 2027")
    service = make_service(reminder_offsets_days="1")

    await run(service, clock, local(2027, 6, 30, 7, 59))
    assert documents(fake, 9_800_001) == []  # (reminders and escalations went out meanwhile)
    await run(service, clock, local(2027, 6, 30, 8, 0))
    await run(service, clock, local(2027, 6, 30, 9, 0))

    [hanoi] = documents(fake, 9_800_001)
    assert "Thành phố Hà Nội" in hanoi.plain_text
    book = load_workbook(io.BytesIO(fake.file_bytes(hanoi.document["file_id"])))
    assert summary(book)[T("report.row.practices")] == 5
    [hcm] = documents(fake, 9_800_002)
    other = load_workbook(io.BytesIO(fake.file_bytes(hcm.document["file_id"])))
    assert summary(other)[T("report.row.practices")] == 1


async def test_text_that_looks_like_a_formula_is_written_as_text(db, clock, fake, make_service):
    """A practice titled `=1+2` (or named `@SUM(…)`, `+1`, `-1`) arrives in the official's
    workbook as that text in a string cell, never as a formula Excel would run (OWASP)."""
    await clear_calendar(db)
    await add_person(db, now=at(1, 1), role="official", level="province", unit=HA_NOI,
                     telegram=9_800_003)
    leader = await add_person(db, now=at(1, 1))
    await add_practice(db, leader.id, created=at(2, 1), title="=1+2",
                       submitter_name='=HYPERLINK("http://evil.example","x")')
    await add_practice(db, leader.id, created=at(2, 2), title="+1", submitter_name="@SUM(A1)")
    await add_practice(db, leader.id, created=at(2, 3), title="-1", submitter_name="\tThôn")
    await add_deadline(db, due=date(2027, 6, 30), level="province", kind="report_6m",
                       title="Báo cáo 6 tháng đầu năm 2027")
    service = make_service(reminder_offsets_days="1")
    await run(service, clock, local(2027, 6, 30, 8, 0))

    [sent] = documents(fake, 9_800_003)
    book = load_workbook(io.BytesIO(fake.file_bytes(sent.document["file_id"])))
    sheet = book[T("report.sheet.practice_list")]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}
    for text in ("=1+2", "+1", "-1", '=HYPERLINK("http://evil.example","x")', "@SUM(A1)",
                 "\tThôn"):
        assert cells[text].data_type == "s", text
        assert cells[text].quotePrefix, text
    assert not any(cell.data_type == "f" for sheet in book for row in sheet.iter_rows()
                   for cell in row)


def test_report_periods_are_understood() -> None:
    today = date(2027, 8, 20)
    assert parse_period("", today) == Period(date(2027, 1, 1), today)
    assert parse_period("2026", today) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert parse_period("2027-H2", today) == Period(date(2027, 7, 1), date(2027, 12, 31))
    assert parse_period("6m", today) == Period(date(2027, 2, 21), today)
    assert parse_period("01/03/2027-31/03/2027", today) == Period(date(2027, 3, 1),
                                                                 date(2027, 3, 31))
    assert parse_period("31/03/2027-01/03/2027", today) is None
    assert parse_period("hôm qua", today) is None
