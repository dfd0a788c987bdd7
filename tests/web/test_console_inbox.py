"""The console's inbox: a jurisdiction's feedback and practices, every status, filtered,
searched without diacritics, sorted and paged, with counts per status."""

from __future__ import annotations

import re

import pytest

from tests.support.officials import BEN_THANH, HANOI, HOAN_KIEM, THANH_XUAN, store_practice
from tests.web.console_support import signed_in, store_feedback

ROW_CODE = re.compile(r'<tr class="row[^"]*" data-code="([A-Z]{2}-\d{4}-\d{6})"')


def codes(html: str) -> list[str]:
    return ROW_CODE.findall(html)


def count_of(html: str, status: str) -> int:
    found = re.search(rf'data-status="{status}"[^>]*>[^<]*<b>(\d+)</b>', html)
    assert found, status
    return int(found.group(1))


@pytest.fixture
async def records(db, clock):
    """Feedback of two Hà Nội communes and one in Hồ Chí Minh City."""
    made = {
        "lamp": await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=20,
                                     text="Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay."),
        "rubbish": await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=2,
                                        category="environment", status="in_progress",
                                        text="Rác tồn đọng ở chợ Hàng Da."),
        "paper": await store_feedback(db, clock, commune=HOAN_KIEM, days_ago=1,
                                      category="administrative_procedures", status="resolved",
                                      text="Hồ sơ cấp sổ đỏ chậm."),
        "noise": await store_feedback(db, clock, commune=THANH_XUAN, days_ago=5,
                                      category="public_order", text="Karaoke ồn sau 23 giờ."),
        "far": await store_feedback(db, clock, commune=BEN_THANH,
                                    text="Đèn đường chợ Bến Thành tắt."),
    }
    return {key: feedback.code for key, feedback in made.items()}


async def test_a_commune_official_sees_every_status_of_their_commune_only(
        client, make_chat, db, clock, records):
    browser = await signed_in(client, make_chat, db, clock, user_id=601, name="Lan",
                              unit=HOAN_KIEM)
    try:
        status, html = await browser.get("/console/")
        assert status == 200
        assert codes(html) == [records["paper"], records["rubbish"], records["lamp"]]
        assert (count_of(html, "new"), count_of(html, "in_progress"),
                count_of(html, "resolved")) == (1, 1, 1)
        assert records["noise"] not in html and records["far"] not in html
        _, html = await browser.get("/console/?sort=oldest")
        assert codes(html) == [records["lamp"], records["rubbish"], records["paper"]]
    finally:
        await browser.close()


async def test_filters_narrow_the_inbox_and_search_ignores_diacritics(
        client, make_chat, db, clock, records):
    browser = await signed_in(client, make_chat, db, clock, user_id=602, name="Tuấn",
                              unit=HANOI, level="province")
    try:
        _, html = await browser.get("/console/")
        assert set(codes(html)) == {records[k] for k in ("lamp", "rubbish", "paper", "noise")}
        wanted = {
            "q=den+duong": [records["lamp"]],  # typed without diacritics
            "q=HÀNG": [records["rubbish"], records["lamp"]],
            f"commune={THANH_XUAN}": [records["noise"]],
            "category=environment": [records["rubbish"]],
            "status=resolved": [records["paper"]],
            # not taken up for more than 3 days (being handled or closed: not overdue yet)
            "overdue=1": [records["noise"], records["lamp"]],
            "from=2026-11-25&to=2026-11-28": [records["rubbish"], records["noise"]],
            "q=den+duong&commune=" + THANH_XUAN: [],
        }
        for query, expected in wanted.items():
            status, html = await browser.get("/console/?" + query)
            assert status == 200 and codes(html) == expected, query
        _, html = await browser.get("/console/?q=hang&status=new")
        assert count_of(html, "in_progress") == 1  # counts follow every filter but status
        _, html = await browser.get("/console/?status=bogus&from=yesterday&page=-3")
        assert len(codes(html)) == 4  # malformed filters are dropped, never an error
    finally:
        await browser.close()


async def test_the_inbox_pages_and_lists_practices_too(client, make_chat, db, clock):
    for number in range(30):
        await store_feedback(db, clock, commune=HOAN_KIEM, text=f"Phản ánh số {number}",
                             days_ago=number / 24)
    practice_id = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=950,
                                       title="Tổ liên gia tự quản phố Hàng Bạc")
    browser = await signed_in(client, make_chat, db, clock, user_id=603, name="Lan",
                              unit=HOAN_KIEM)
    try:
        _, first = await browser.get("/console/")
        _, second = await browser.get("/console/?page=2")
        assert len(codes(first)) == 25 and len(codes(second)) == 5
        assert not set(codes(first)) & set(codes(second))
        assert "Trang 2/2" in second and 'rel="next"' in first
        _, html = await browser.get("/console/?kind=practice&category=culture_society")
        assert f'/console/practices/{practice_id}"' in html and "phố Hàng Bạc" in html
        _, html = await browser.get("/console/?kind=practice&category=economy")
        assert codes(html) == []
        _, html = await browser.get("/console/?kind=practice&lang=en")
        assert "Practices" in html and "Submitted, awaiting review" in html
        assert "Mô hình" not in html
    finally:
        await browser.close()
