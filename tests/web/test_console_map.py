"""The console's map of feedback and its hotspots: only the jurisdiction's feedback, grouped
into cells by status, the inbox's filters, no sender's identity, and the counts per commune
over 30 and 90 days."""

from __future__ import annotations

import json
import re

import pytest

from storage.models import Feedback
from tests.support.officials import BEN_THANH, HANOI, HOAN_KIEM, THANH_XUAN
from tests.web.console_support import signed_in, store_feedback

SENDER = "Trần Văn Bình"


@pytest.fixture
async def records(db, clock):
    made = [
        await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=5, text="Đèn hỏng.",
                             anonymous=False, reporter_name=SENDER, phone="0912345678"),
        await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=10, text="Rác.",
                             category="environment"),
        await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=40, text="Ổ gà.",
                             status="in_progress"),
        await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=120, text="Cũ.",
                             status="resolved"),
        await store_feedback(db, clock, commune=THANH_XUAN, days_ago=3, text="Ồn."),
        await store_feedback(db, clock, commune=BEN_THANH, days_ago=1, text="Xa."),
    ]
    unplaced = await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=2, text="Không vị trí.")
    async with db.session() as session:
        row = await session.get(Feedback, unplaced.id)
        row.latitude = row.longitude = None
        session.add(row)
        await session.commit()
    return [f.id for f in made] + [unplaced.id]


def by_status(body: dict) -> dict[str, int]:
    found: dict[str, int] = {}
    for cell in body["cells"]:
        found[cell["status"]] = found.get(cell["status"], 0) + cell["count"]
    return found


async def test_a_commune_official_maps_their_own_feedback_without_identity(
        client, make_chat, db, clock, records):
    browser = await signed_in(client, make_chat, db, clock, user_id=611, name="Lan",
                              unit=HOAN_KIEM)
    try:
        status, raw = await browser.get("/console/map.json?zoom=16")
        body = json.loads(raw)
        assert status == 200
        assert by_status(body) == {"new": 2, "in_progress": 1, "resolved": 1}
        assert body["total"] == 4 and body["unplaced"] == 1
        single = [c for c in body["cells"] if c["status"] == "in_progress"][0]
        assert single["id"] == records[2] and single["age_days"] == 40
        grouped = [c for c in body["cells"] if c["status"] == "new"][0]
        assert grouped["id"] is None and grouped["age_days"] == 10
        assert SENDER not in raw and "0912345678" not in raw and "reporter" not in raw
        # The inbox's filters apply.
        _, raw = await browser.get("/console/map.json?category=environment")
        assert by_status(json.loads(raw)) == {"new": 1}
        _, raw = await browser.get("/console/map.json?status=resolved&zoom=3")
        assert by_status(json.loads(raw)) == {"resolved": 1}
        _, raw = await browser.get("/console/map.json?bbox=100,8,101,9&zoom=12")
        assert json.loads(raw)["cells"] == []
        _, raw = await browser.get("/console/map.json?q=den+hong&bbox=bad&zoom=x")
        assert by_status(json.loads(raw)) == {"new": 1}
        status, html = await browser.get("/console/map")
        assert status == 200 and 'id="feedback-map"' in html and SENDER not in html
    finally:
        await browser.close()


def hotspot_rows(html: str) -> dict[str, tuple[int, int, bool]]:
    rows = re.findall(r'<tr data-commune="(\d+)"( class=hot)?><td>.*?</td><td>(\d+)</td>'
                      r'<td>(\d+)</td></tr>', html)
    return {code: (int(n30), int(n90), bool(hot)) for code, hot, n30, n90 in rows}


async def test_hotspots_count_feedback_per_commune_over_30_and_90_days(
        client, make_chat, db, clock, records):
    province = await signed_in(client, make_chat, db, clock, user_id=612, name="Tỉnh",
                               unit=HANOI, level="province")
    central = await signed_in(client, make_chat, db, clock, user_id=613, name="TW",
                              unit=None, level="central")
    try:
        status, html = await province.get("/console/map")
        assert status == 200
        # Hoàn Kiếm: 5, 10, 2 days (unplaced counts too) in 30; +40 in 90; 120 is out.
        assert hotspot_rows(html) == {HOAN_KIEM: (3, 4, True), THANH_XUAN: (1, 1, False)}
        _, raw = await province.get("/console/map.json")
        assert sum(by_status(json.loads(raw)).values()) == 5  # Hoàn Kiếm 4 + Thanh Xuân 1
        _, html = await central.get("/console/map")
        assert hotspot_rows(html)[BEN_THANH] == (1, 1, False)
    finally:
        await province.close()
        await central.close()
