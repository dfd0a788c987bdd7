"""/deadlines: officials see the calendar of their jurisdiction and change what is theirs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import select

from storage.calendar_seed import default_deadlines
from storage.models import Deadline, OutboxStatus, Person
from tests.scheduler.factories import CUA_NAM, HA_NOI, HOAN_KIEM, queue, row


async def official(db, make_chat, user_id: int, *, level: str, unit: str | None):  # noqa: ANN001, ANN201
    chat = make_chat(user_id=user_id, name=f"Cán bộ {user_id}")
    await chat.command("start")
    async with db.session() as session:
        await session.exec(update(Person).where(Person.display_name == f"Cán bộ {user_id}")
                           .values(role="official", level=level, unit_code=unit))
        await session.commit()
    return chat


async def _deadline(db, title: str) -> Deadline:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Deadline).where(Deadline.title == title))).one()


async def test_the_seeded_calendar_follows_the_seed_cycles() -> None:
    rows = default_deadlines()
    honouring = {(r["level"], r["due_date"]) for r in rows if r["kind"] == "honouring"}
    assert {d for lv, d in honouring if lv == "commune"} == {date(y, 10, 15)
                                                            for y in range(2026, 2031)}
    assert {d.year for lv, d in honouring if lv == "province"} == {2028, 2030}
    assert {d for lv, d in honouring if lv == "central"} == {date(2030, 10, 15)}
    reports = [(r["level"], r["kind"], r["due_date"].year) for r in rows
               if r["kind"].startswith("report")]
    assert len(reports) == 5 * 2 * 3  # 6-month and annual, every year, every level


async def test_a_citizen_has_no_deadlines_command(make_chat) -> None:
    chat = make_chat(user_id=9_900_001)
    [reply] = await chat.command("deadlines")
    assert "deadlines" in reply.text and "📅" not in reply.text


async def test_an_official_lists_adds_moves_and_removes_deadlines_of_their_unit(
    db, clock, make_chat
) -> None:
    chat = await official(db, make_chat, 9_900_002, level="commune", unit=HOAN_KIEM)

    [listing] = await chat.command("hanchot")
    assert "15/12/2026" in listing.text  # the seeded annual report of the commune level
    assert "cấp tỉnh" not in listing.text

    [added] = await chat.command("deadlines", "add 20/09/2027 danhgia Chấm điểm mô hình phường")
    assert "✅" in added.text and "20/09/2027" in added.text
    mine = await _deadline(db, "Chấm điểm mô hình phường")
    assert (mine.level, mine.scope_code, mine.kind) == ("commune", HOAN_KIEM, "evaluation")
    [listing] = await chat.command("deadlines")
    assert f"#{mine.id}" in listing.text

    person = (await _people(db))[f"Cán bộ {9_900_002}"]
    await queue(db, person, f"deadline:{mine.id}:2027-09-20:7d:p{person}", "cũ", now=clock.now(),
                not_before=clock.now().replace(year=2027))
    [moved] = await chat.command("deadlines", f"move {mine.id} 25/09/2027")
    assert "25/09/2027" in moved.text
    assert (await _deadline(db, "Chấm điểm mô hình phường")).due_date == date(2027, 9, 25)
    waiting = await row(db, f"deadline:{mine.id}:2027-09-20:7d:p{person}")
    assert waiting.status == OutboxStatus.SKIPPED  # the reminder for the old date is dropped

    [removed] = await chat.command("deadlines", f"remove {mine.id}")
    assert "✅" in removed.text
    assert (await _deadline(db, "Chấm điểm mô hình phường")).active is False


async def test_officials_change_only_deadlines_inside_their_jurisdiction(db, make_chat) -> None:
    ours = await official(db, make_chat, 9_900_003, level="commune", unit=HOAN_KIEM)
    neighbour = await official(db, make_chat, 9_900_004, level="commune", unit=CUA_NAM)
    province = await official(db, make_chat, 9_900_005, level="province", unit=HA_NOI)
    await ours.command("deadlines", "add 01/10/2027 tonvinh Tôn vinh điển hình phường")
    mine = await _deadline(db, "Tôn vinh điển hình phường")
    seeded = await _deadline(db, 'Báo cáo năm 2026 phong trào "Dân vận khéo" (cấp cơ sở)')

    [refused] = await neighbour.command("deadlines", f"move {mine.id} 02/10/2027")
    assert "⛔" in refused.text
    [refused] = await ours.command("deadlines", f"remove {seeded.id}")
    assert "⛔" in refused.text
    [moved] = await province.command("deadlines", f"move {mine.id} 03/10/2027")
    assert "✅" in moved.text

    [added] = await province.command("deadlines", "add 30/09/2027 danhgia xa Đánh giá các xã")
    assert "✅" in added.text
    for_communes = await _deadline(db, "Đánh giá các xã")
    assert (for_communes.level, for_communes.scope_code) == ("commune", HA_NOI)
    [listing] = await neighbour.command("deadlines")
    assert "Đánh giá các xã" in listing.text and "Tôn vinh điển hình phường" not in listing.text
    [bad] = await ours.command("deadlines", "add 31/02/2027 danhgia Ngày không có")
    assert "⚠️" in bad.text


async def _people(db) -> dict[str, int]:  # noqa: ANN001
    async with db.session() as session:
        return {p.display_name: p.id for p in (await session.exec(select(Person))).all()}
