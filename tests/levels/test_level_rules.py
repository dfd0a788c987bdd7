"""The rules of levels and cycles, through the engine with real SQLite/PostgreSQL: the
calendar's rows decide in which years a level recognises (not the code), the centre recognises
in 2030 only what a province recognised, and nominations go one level up, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from storage.models import Deadline, Nomination, Recognition
from tests.officials.test_officials import official, recognise, submitted_practice


async def test_the_calendar_rows_decide_the_province_years(make_chat, db, clock):
    clock.set(datetime(2027, 3, 2, 3, 0, tzinfo=UTC))
    _, pid = await submitted_practice(make_chat, db, clock)
    minh = await official(make_chat, db, clock)
    city = await official(make_chat, db, clock, user_id=3009, unit="01", level="province")
    await minh.press_raw("a", f"pr_ok:{pid}")
    await recognise(minh, pid)
    clock.advance(days=1)
    await city.press_raw("a", f"pr_rec:{pid}")
    assert "Năm 2027 không phải năm công nhận điển hình cấp tỉnh" in city.last.text
    async with db.session() as session:  # Hà Nội adds an honouring in 2027: a row, no code
        session.add(Deadline(level="province", scope_code="01", kind="honouring",
                             title="Tôn vinh cấp tỉnh 2027", due_date=date(2027, 10, 15),
                             created_at=clock.now(), updated_at=clock.now()))
        await session.commit()
    await recognise(city, pid)
    assert "Đã công nhận điển hình cấp tỉnh" in city.last.text


async def test_the_centre_recognises_in_2030_what_a_province_recognised(make_chat, db, clock):
    clock.set(datetime(2028, 3, 2, 3, 0, tzinfo=UTC))
    _, pid = await submitted_practice(make_chat, db, clock)
    minh = await official(make_chat, db, clock)
    city = await official(make_chat, db, clock, user_id=3009, unit="01", level="province")
    centre = await official(make_chat, db, clock, user_id=3010, unit=None, level="central")
    await minh.press_raw("a", f"pr_ok:{pid}")
    await recognise(minh, pid)
    await minh.press_raw("a", f"pr_nominate:{pid}")
    await minh.text("Tiêu biểu của phường.")
    await minh.press_raw("a", f"pr_nominate:{pid}")  # once is enough
    assert "chưa được đề cử lên cấp trên" in minh.last.text
    await centre.press_raw("a", f"pr_rec:{pid}")
    assert "Năm 2028 không phải năm công nhận điển hình cấp Trung ương" in centre.last.text
    clock.advance(days=1)
    await recognise(city, pid)
    await city.press_raw("a", f"pr_nominate:{pid}")
    await city.text("Lan toả ra toàn thành phố.")
    assert "Đã đề cử lên cấp Trung ương" in city.last.text
    await centre.command("hopthu")
    assert "Mô hình được đề cử chờ xét: 1" in centre.last.text
    clock.set(datetime(2030, 5, 4, 3, 0, tzinfo=UTC))
    await recognise(centre, pid, number="01/QĐ-TW")
    assert "Đã công nhận điển hình cấp Trung ương" in centre.last.text
    async with db.session() as session:
        levels = [(r.level, r.year) for r in (await session.exec(select(Recognition))).all()]
        nominations = [(n.from_level, n.to_level, n.decided_at is not None)
                       for n in (await session.exec(select(Nomination))).all()]
    assert levels == [("commune", 2028), ("province", 2028), ("central", 2030)]
    assert nominations == [("commune", "province", True), ("province", "central", True)]
