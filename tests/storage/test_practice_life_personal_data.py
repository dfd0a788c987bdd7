"""A person's updates to practices and their "nhân rộng" declarations are theirs: /dulieucuatoi
exports them, and erasing the person cuts the link while the practice keeps them (public, about
a collective). A hidden or pending update never reaches the public shapes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from storage.models import PracticeReplication, PracticeUpdate, Role
from storage.repositories import demo, practice_life, public_map
from storage.repositories.personal_data import erase_person, export_person
from tests.web.factories import add_practice

NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)


async def test_updates_and_declarations_are_exported_then_unlinked_on_erasure(db):  # noqa: ANN001
    practice = await add_practice(db)
    async with db.session() as session:
        lan = await demo.add_person(session, display_name="Lan", role=Role.CITIZEN, now=NOW)
        for text, status in (("Đã đăng", "published"), ("Chờ xem", "pending"),
                             ("Bị ẩn", "hidden")):
            await practice_life.add_update(session, practice_id=practice.id, author_id=lan.id,
                                           text=text, photos=[], video=None, status=status,
                                           now=NOW)
        await practice_life.declare_replication(
            session, practice_id=practice.id, person_id=lan.id, collective_name="Thôn Yên Lạc",
            commune_code="00070", province_code="01", now=NOW)
        await session.commit()
        lan_id = lan.id

    async with db.session() as session:
        exported = await export_person(session, lan_id)
        public = await public_map.get_public_practice(session, code=practice.code)
    assert [u["text"] for u in exported["practice_updates"]] == ["Đã đăng", "Chờ xem", "Bị ẩn"]
    assert [r["collective_name"] for r in exported["replications"]] == ["Thôn Yên Lạc"]
    assert [u.text for u in public.updates] == ["Đã đăng"]  # only what an official published
    assert public.replication_count == 1

    async with db.session() as session:
        await erase_person(session, person_id=lan_id, channel="telegram", now=NOW,
                           version="1")
        await session.commit()
    async with db.session() as session:
        updates = (await session.exec(select(PracticeUpdate))).all()
        [adopted] = (await session.exec(select(PracticeReplication))).all()
        public = await public_map.get_public_practice(session, code=practice.code)
    assert {u.author_id for u in updates} == {None} and adopted.person_id is None
    assert [u.text for u in public.updates] == ["Đã đăng"] and public.replication_count == 1


async def test_a_hidden_declaration_is_exported_without_the_official_and_not_counted(db):  # noqa: ANN001
    """The declarer's export says it was hidden and when, never by which official; the public
    shapes and the count skip it, and declaring again keeps it hidden."""
    practice = await add_practice(db)
    async with db.session() as session:
        lan = await demo.add_person(session, display_name="Lan", role=Role.CITIZEN, now=NOW)
        minh = await demo.add_person(session, display_name="Minh", role=Role.OFFICIAL, now=NOW)
        row, _ = await practice_life.declare_replication(
            session, practice_id=practice.id, person_id=lan.id, collective_name="Hội Bịa",
            commune_code="00070", province_code="01", now=NOW)
        await practice_life.set_replication_hidden(session, row=row, hidden=True, by=minh.id,
                                                   now=NOW)
        again, replaced = await practice_life.declare_replication(
            session, practice_id=practice.id, person_id=lan.id, collective_name="Hội Bịa 2",
            commune_code="00070", province_code="01", now=NOW)
        await session.commit()
        lan_id, minh_id = lan.id, minh.id
    assert replaced and again.hidden_at is not None and again.hidden_by == minh_id

    async with db.session() as session:
        exported = await export_person(session, lan_id)
        public = await public_map.get_public_practice(session, code=practice.code)
        count = await practice_life.replication_count(session, practice.id)
    [declared] = exported["replications"]
    assert declared["hidden_at"] is not None and "hidden_by" not in declared
    assert public.replication_count == 0 and public.replications == [] and count == 0
