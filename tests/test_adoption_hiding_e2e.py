"""Hiding a "nhân rộng" declaration, end to end on Telegram and Zalo Bot (the real adapters
against their fakes over HTTP) and on the public web server: a collective declares it adopted
a practice; an official responsible for the practice opens the declarations from the card and
hides a wrong one (buttons on Telegram, numbered choices on Zalo); the declarer is told it was
not published, naming no official; the page, the API, the map's spread and the count no longer
show it; declaring again does not bring it back; the official shows it again. A citizen, the
submitter and an official of another commune forging the buttons are refused, nothing changes."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from storage.models import AuditEntry, Person, PracticeReplication
from tests.support.channels import people_on
from tests.support.chat_driver import ChatDriver
from tests.support.factories import make_invite
from tests.support.officials import HOAN_KIEM
from tests.test_living_practices_e2e import CODE, approved_practice, public_site

WRONG = "Thôn Không Có Thật"


async def declare(hoa: ChatDriver, name: str = WRONG) -> None:
    await hoa.command("nhanrong", CODE)
    await hoa.text(name)
    await hoa.text("yen hoa")
    await hoa.press("Phường Yên Hòa, Thành phố Hà Nội")
    await hoa.press("Gửi")


async def public_view(settings, db, services, engine) -> tuple[str, dict]:  # noqa: ANN001
    async with public_site(settings, db, services, engine) as site:
        page = await (await site.get(f"/practices/{CODE}")).text()
        body = await (await site.get(f"/api/practices/{CODE}")).json()
    return page, body


async def stored_row(db) -> PracticeReplication:  # noqa: ANN001
    async with db.session() as session:
        [row] = (await session.exec(select(PracticeReplication))).all()
    return row


@pytest.mark.parametrize("channel", ["telegram", "zalo_bot"])
async def test_an_official_hides_a_declaration_and_the_public_no_longer_sees_it(
        channel, settings, db, clock, services, engine, caplog):  # noqa: ANN001
    caplog.set_level(logging.INFO, logger="handlers.officials.adoptions")
    async with people_on(channel, settings, clock, db, services, engine) as person:
        lan, minh, hoa = person("Lan"), person("Minh"), person("Hoa")
        await approved_practice(person, lan, minh, db, clock)
        await declare(hoa)
        assert f"Đã ghi nhận {WRONG}" in hoa.last_text
        await person.settle()
        page, body = await public_view(settings, db, services, engine)
        assert WRONG in page and body["replication_count"] == 1

        await minh.command("tracuu", CODE)
        await minh.press("🌱 Nhân rộng (1)")
        assert "1 đang công khai, 0 đã ẩn" in minh.last_text
        assert f"1. {WRONG} — Phường Yên Hòa, Thành phố Hà Nội" in minh.last_text
        await minh.press(f"🙈 Ẩn 1. {WRONG}")
        assert "✅ Đã ẩn thông tin nhân rộng" in minh.last_text, minh.last_text
        assert "0 đang công khai, 1 đã ẩn" in minh.last_text and "🙈 đã ẩn" in minh.last_text
        told = [n for n in await hoa.notices() if "chưa được đăng công khai" in n]
        assert len(told) == 1 and CODE in told[0] and WRONG in told[0]
        assert "Minh" not in told[0]  # no official's identity

        row = await stored_row(db)
        async with db.session() as session:
            minh_id = (await session.exec(select(Person.id).where(
                Person.display_name == "Minh"))).one()
            [audited] = (await session.exec(select(AuditEntry).where(
                AuditEntry.action == "practice.adoption_hide"))).all()
        assert row.hidden_at is not None and row.hidden_by == minh_id
        assert audited.actor_id == minh_id and audited.record_code == CODE
        assert audited.detail == f"adoption:{row.id}" and WRONG not in str(audited.detail)

        [logged] = [r for r in caplog.records if r.getMessage() == "adoption declaration hidden"]
        assert (logged.adoption_id, logged.official_id) == (row.id, minh_id)
        assert WRONG not in str(vars(logged)) and not hasattr(logged, "person_id")

        page, body = await public_view(settings, db, services, engine)
        assert WRONG not in page and "Đã được nhân rộng" not in page
        assert body["replication_count"] == 0 and body["replications"] == []

        await declare(hoa, "Thôn Vẫn Sai")  # declaring again does not publish it
        assert "chưa được đăng công khai" in hoa.last_text, hoa.last_text
        await person.settle()
        assert not any("Thôn Vẫn Sai" in n for n in await lan.notices())
        row = await stored_row(db)
        assert row.collective_name == "Thôn Vẫn Sai" and row.hidden_at is not None
        page, body = await public_view(settings, db, services, engine)
        assert "Thôn Vẫn Sai" not in page and body["replication_count"] == 0

        await minh.command("tracuu", CODE)
        await minh.press("🌱 Nhân rộng (1)")
        await minh.press("👁 Hiện lại 1. Thôn Vẫn Sai")
        assert "✅ Đã hiện lại thông tin nhân rộng" in minh.last_text, minh.last_text
        assert any("đã được đăng trên trang" in n for n in await hoa.notices())
        assert (await stored_row(db)).hidden_at is None
        page, body = await public_view(settings, db, services, engine)
        assert "Thôn Vẫn Sai" in page and body["replication_count"] == 1
        async with db.session() as session:
            actions = [e.action for e in (await session.exec(select(AuditEntry).where(
                AuditEntry.record_code == CODE))).all()]
        assert actions.count("practice.adoption_hide") == 1
        assert actions.count("practice.adoption_show") == 1


async def test_forged_buttons_are_refused_and_nothing_changes(
        settings, db, clock, services, engine):  # noqa: ANN001
    """A citizen, the practice's own submitter, and an official of another commune pressing
    made-up `nr_hide` / `nr_show` / `nr_list` buttons are refused; a made-up id too."""
    async with people_on("telegram", settings, clock, db, services, engine) as person:
        lan, minh, hoa, tuan = person("Lan"), person("Minh"), person("Hoa"), person("Tuấn")
        await approved_practice(person, lan, minh, db, clock)
        await declare(hoa)
        await tuan.command("moi", await make_invite(db, clock, unit=HOAN_KIEM))
        await person.settle()
        row = await stored_row(db)
        for forger, why in ((hoa, "chỉ dành cho cán bộ"), (lan, "chỉ dành cho cán bộ"),
                            (tuan, "trong phạm vi phụ trách của bạn")):
            for payload in (f"nr_hide:{row.id}", f"nr_show:{row.id}",
                            f"nr_list:{row.practice_id}"):
                await forger.driver.press_data(f"a:{payload}")  # type: ignore[attr-defined]
                said = forger.last_text
                assert said.startswith("⛔") and why in said, (payload, said)
        await minh.driver.press_data("a:nr_hide:999999")  # type: ignore[attr-defined]
        assert minh.last_text.startswith("⛔")
        assert (await stored_row(db)).hidden_at is None
        page, body = await public_view(settings, db, services, engine)
        assert WRONG in page and body["replication_count"] == 1
        assert not any("chưa được đăng" in n for n in await hoa.notices())
    async with db.session() as session:
        hidden = (await session.exec(select(AuditEntry).where(
            AuditEntry.action.in_(["practice.adoption_hide",  # type: ignore[attr-defined]
                                   "practice.adoption_show"])))).all()
    assert hidden == []
