"""Bulk-loaded demo practices (the map benchmark) and practices submitted afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import Practice
from storage.repositories import demo
from storage.repositories.practices import create_practice

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def practice_values(submitter_id: int) -> dict:
    return dict(
        submitter_id=submitter_id, status="approved", submitter_kind="collective",
        submitter_type="village", submitter_name="Thôn Đông Hà", field="economy",
        title="Mô hình mẫu", description="Các hộ cùng làm.", clear_who="Người dân",
        clear_what="Việc", clear_when="Hằng tuần", clear_responsibility="Trưởng thôn",
        clear_product="Đường sạch", clear_authority="UBND xã", people_mobilised=100,
        results="Tốt", commune_code="00070", province_code="01", village="Thôn Đông Hà",
        latitude=21.03, longitude=105.85, answers={}, created_at=NOW, updated_at=NOW)


async def test_a_practice_submitted_after_a_bulk_load_gets_the_next_id(db):
    async with db.session() as session:
        submitter = await demo.add_person(session, display_name=demo.DEMO_SUBMITTER,
                                          role="citizen", now=NOW)
        first = await demo.next_practice_id(session)
        await demo.bulk_insert(session, practices=[
            {**practice_values(submitter.id), "id": first + n, "code": f"MH-2026-{first + n:06d}"}
            for n in range(3)])
        await session.commit()
    async with db.session() as session:
        stored = await create_practice(session, practice=Practice(**practice_values(submitter.id)),
                                       photos=[], year=2026)
        await session.commit()
    assert stored.id == first + 3 and stored.code == f"MH-2026-{first + 3:06d}"
