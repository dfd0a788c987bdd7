"""The console's dashboards: the periodic report's figures for the jurisdiction and a period,
as tables and bars, each table as CSV, and the XLSX report; downloads are audited; no sender's
identity anywhere."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlmodel import select

from storage.models import AuditEntry, Feedback
from tests.support.officials import BEN_THANH, HANOI, HOAN_KIEM, THANH_XUAN
from tests.web.console_support import signed_in, store_feedback

SENDER = "Trần Văn Bình"


async def _records(db, clock) -> None:  # noqa: ANN001
    await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=5, text="Đèn hỏng.",
                         anonymous=False, reporter_name=SENDER, phone="0912345678")
    answered = await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=4, text="Rác.",
                                    category="environment", status="resolved")
    await store_feedback(db, clock, commune=THANH_XUAN, days_ago=3, text="Ồn.")
    await store_feedback(db, clock, commune=BEN_THANH, days_ago=1, text="Xa.")
    async with db.session() as session:
        row = await session.get(Feedback, answered.id)
        row.first_answered_at = row.created_at + timedelta(hours=6)
        row.resolved_at = row.created_at + timedelta(hours=30)
        row.satisfaction = 4
        session.add(row)
        await session.commit()


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


async def test_a_province_dashboard_shows_the_reports_figures_as_tables_and_csv(
        client, make_chat, db, clock):
    await _records(db, clock)
    browser = await signed_in(client, make_chat, db, clock, user_id=621, name="Tỉnh",
                              unit=HANOI, level="province")
    try:
        status, html = await browser.get("/console/dashboard?period=12m")
        assert status == 200
        assert '<svg class="bars"' in html and 'id="chart-feedback"' in html
        assert SENDER not in html and "0912345678" not in html
        status, text = await browser.get("/console/dashboard/feedback.csv?period=12m")
        assert status == 200
        rows = csv_rows(text)
        assert rows[0][0] == "Loại / lĩnh vực" and rows[0][-1] == "Σ"
        totals = {row[0]: int(row[-1]) for row in rows[1:]}
        assert sum(totals.values()) == 3  # Hà Nội's three, not Bến Thành's
        assert SENDER not in text
        _, text = await browser.get("/console/dashboard/timings.csv?period=12m")
        figures = dict((row[0], row[1]) for row in csv_rows(text)[1:])
        assert figures["Phản ánh nhận được"] == "3"
        assert figures["Đã giải quyết"] == "1"
        assert figures["Trung vị thời gian trả lời đầu tiên (giờ)"] == "6.0"
        assert figures["Trung vị thời gian giải quyết (giờ)"] == "30.0"
        assert figures["Mức hài lòng trung bình (1–5)"] == "4.0"
        async with browser.http.get("/console/dashboard/report.xlsx?period=2026") as response:
            body = await response.read()
            assert response.status == 200 and body[:2] == b"PK"
            assert "bao-cao-01-" in response.headers["Content-Disposition"]
        async with db.session() as session:
            actions = [e.action for e in (await session.exec(select(AuditEntry))).all()
                       if e.channel == "console"]
        assert actions.count("console.csv") == 2 and actions.count("report.export") == 1
    finally:
        await browser.close()


async def test_a_commune_dashboard_counts_only_its_commune_and_a_bad_period_is_explained(
        client, make_chat, db, clock):
    await _records(db, clock)
    browser = await signed_in(client, make_chat, db, clock, user_id=622, name="Xã",
                              unit=THANH_XUAN)
    try:
        _, text = await browser.get("/console/dashboard/feedback.csv")
        assert sum(int(row[-1]) for row in csv_rows(text)[1:]) == 1
        status, html = await browser.get("/console/dashboard?period=hom+qua")
        assert status == 200 and 'id="period-error"' in html
        status, _ = await browser.get("/console/dashboard/nothing.csv")
        assert status == 404
    finally:
        await browser.close()
