"""Items with no official anywhere on their path, through the engine and real storage: which
items count as waiting, and how each reaches the first official whose jurisdiction covers it
(a commune's, its province's, the central level's), never one elsewhere."""

from __future__ import annotations

from sqlmodel import select

from storage.models import OutboxMessage, Person
from storage.repositories import unassigned
from tests.handlers.test_feedback import send_feedback
from tests.support.factories import make_invite, store_practice
from tests.support.officials import (
    BEN_THANH,
    BEN_THANH_PIN,
    HANOI,
    HCMC,
    HOAN_KIEM,
    THANH_XUAN,
    feedback_walk,
)


async def _counts(db) -> dict[str, int]:  # noqa: ANN001
    async with db.session() as session:
        return await unassigned.counts(session)


async def _keys(db) -> set[str]:  # noqa: ANN001
    async with db.session() as session:
        return {m.idempotency_key for m in (await session.exec(select(OutboxMessage))).all()}


async def _person(db, name: str) -> int:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Person).where(Person.display_name == name))).one().id


async def _accept(make_chat, db, clock, user_id: int, name: str, *, unit: str | None,  # noqa: ANN001
                  level: str) -> str:
    chat = make_chat(user_id, name)
    await chat.command("start", await make_invite(db, clock, unit=unit, level=level))
    return "\n".join(r.text for r in chat.transcript if hasattr(r, "text"))


async def test_each_waiting_item_goes_to_the_first_official_whose_scope_covers_it(
        make_chat, db, clock) -> None:
    hoa = make_chat(2001, "Hoa")
    await send_feedback(hoa, feedback_walk(photos=0))  # PA-2026-000001, Phường Hoàn Kiếm
    nam = make_chat(2002, "Nam")
    await send_feedback(nam, feedback_walk(  # PA-2026-000002, Thành phố Hồ Chí Minh
        photos=0, commune_query="ben thanh", commune_pick=BEN_THANH, pin=BEN_THANH_PIN))
    practice_id = await store_practice(db, clock, commune=THANH_XUAN, submitter_id=999)

    assert await _counts(db) == {"feedback": 2, "practice": 1}
    async with db.session() as session:
        waiting = await unassigned.waiting_units(session)
    assert [(w.unit_code, w.province_code, w.feedback, w.practice) for w in waiting] == [
        (HOAN_KIEM, HANOI, 1, 0), (THANH_XUAN, HANOI, 0, 1), (BEN_THANH, HCMC, 1, 0)]

    # A commune official takes their own commune's feedback, nothing of the other commune.
    welcome = await _accept(make_chat, db, clock, 3001, "Minh", unit=HOAN_KIEM, level="commune")
    assert "Đang có 1 phản ánh và 0 mô hình chờ cán bộ ở đây" in welcome
    minh = await _person(db, "Minh")
    keys = await _keys(db)
    hoa_id = await _person(db, "Hoa")
    assert {f"fb:1:new:0:to:{minh}", f"fb:1:assigned:to:{hoa_id}"} <= keys
    assert not any(k.startswith(("fb:2:", f"pr:{practice_id}:")) for k in keys)
    assert await _counts(db) == {"feedback": 1, "practice": 1}

    # An official of another province takes nothing of Hà Nội's.
    welcome = await _accept(make_chat, db, clock, 3002, "Lan", unit=HCMC, level="province")
    assert "Đang có 1 phản ánh và 0 mô hình" in welcome
    assert f"fb:2:new:0:to:{await _person(db, 'Lan')}" in await _keys(db)
    assert await _counts(db) == {"feedback": 0, "practice": 1}

    # The first central official takes whatever is left anywhere.
    welcome = await _accept(make_chat, db, clock, 3003, "Tuấn", unit=None, level="central")
    assert "Đang có 0 phản ánh và 1 mô hình" in welcome
    tuan = await _person(db, "Tuấn")
    assert {f"pr:{practice_id}:new:0:to:{tuan}", f"pr:{practice_id}:assigned:to:999"} <= \
        await _keys(db)
    assert await _counts(db) == {"feedback": 0, "practice": 0}

    # Nothing waits any more: the next official is simply welcomed.
    welcome = await _accept(make_chat, db, clock, 3004, "Hà", unit=HOAN_KIEM, level="commune")
    assert "Chào mừng" in welcome and "chờ cán bộ" not in welcome


async def test_a_province_official_already_there_means_nothing_waits(make_chat, db, clock) -> None:
    await _accept(make_chat, db, clock, 3001, "Minh", unit=HANOI, level="province")
    receipt = await send_feedback(make_chat(2001, "Hoa"), feedback_walk(photos=0))
    await store_practice(db, clock, commune=THANH_XUAN, submitter_id=999)
    assert "Hiện chưa có cán bộ" not in receipt
    assert await _counts(db) == {"feedback": 0, "practice": 0}


async def test_closed_and_reviewed_items_never_count_as_waiting(make_chat, db, clock) -> None:
    from sqlalchemy import update

    from storage.models import Feedback, Practice

    await send_feedback(make_chat(2001, "Hoa"), feedback_walk(photos=0))
    practice_id = await store_practice(db, clock, commune=THANH_XUAN, submitter_id=999)
    assert await _counts(db) == {"feedback": 1, "practice": 1}
    async with db.session() as session:
        await session.exec(update(Feedback).values(status="rejected"))
        await session.exec(update(Practice).where(Practice.id == practice_id)
                           .values(status="changes_requested"))
        await session.commit()
    assert await _counts(db) == {"feedback": 0, "practice": 0}


async def test_of_many_waiting_items_the_oldest_ten_come_as_notices_and_all_are_counted(
        make_chat, db, clock) -> None:
    ids = []
    for _ in range(12):
        ids.append(await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=999))
        clock.advance(minutes=1)
    welcome = await _accept(make_chat, db, clock, 3001, "Minh", unit=HOAN_KIEM, level="commune")
    assert "Đang có 0 phản ánh và 12 mô hình" in welcome
    minh = await _person(db, "Minh")
    keys = await _keys(db)
    assert [i for i in ids if f"pr:{i}:new:0:to:{minh}" in keys] == ids[:10]
    assert all(f"pr:{i}:assigned:to:999" in keys for i in ids)  # every sender hears


async def test_a_handed_over_feedback_keeps_its_warnings(make_chat, db, clock) -> None:
    """The notice a new official gets for a waiting feedback is the one it would have had:
    with the warnings found when it was sent (handlers/abuse/flags.py)."""
    from tests.support.officials import Step

    walk = feedback_walk(photos=0)
    walk[1] = Step("text", "text", "Đèn đường hỏng, xem ảnh ở https://bit.ly/3xYzAbc nhé.")
    await send_feedback(make_chat(2001, "Hoa"), walk)
    await _accept(make_chat, db, clock, 3001, "Minh", unit=HOAN_KIEM, level="commune")
    minh = await _person(db, "Minh")
    async with db.session() as session:
        notice = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.idempotency_key == f"fb:1:new:0:to:{minh}"))).one()
    text = notice.payload[0]["text"]
    assert text.startswith("⚠️ Có thể là spam: có liên kết rút gọn (bit.ly)")
    assert "Phản ánh mới PA-2026-000001" in text
