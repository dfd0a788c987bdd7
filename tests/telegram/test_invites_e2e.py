"""Officials join only through single-use invites: reused, expired, revoked, unknown and
malformed codes are refused with a clear message, and no command makes a citizen an official."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from storage.models import Invite, Person
from storage.repositories import invites
from tests.fakes.telegram_api import FakeTelegram
from tests.support.factories import make_invite
from tests.support.officials import THANH_XUAN
from tests.support.telegram_harness import TelegramDriver, running_app


async def test_invites_work_once_and_bad_ones_are_refused(settings, clock, db, caplog):
    caplog.set_level(logging.INFO)
    fresh = await make_invite(db, clock, unit=THANH_XUAN)
    short = await make_invite(db, clock, unit=THANH_XUAN, expires=timedelta(days=1))
    revoked = await make_invite(db, clock, unit="01", level="province")
    async with db.session() as session:
        await invites.revoke(session, invite_id=3, now=clock.now())
        await session.commit()

    async with FakeTelegram() as fake:
        an, binh = fake.user(4001, first_name="An"), fake.user(4002, first_name="Bình")
        async with running_app(settings, fake, clock) as app:
            official, citizen = TelegramDriver(app, fake, an), TelegramDriver(app, fake, binh)
            await official.command("start", fresh)
            assert "cán bộ dân vận cấp cơ sở — Phường Thanh Xuân" in an.last.text
            assert any(b.endswith("Hộp thư cán bộ") for b in an.last.buttons)

            answers = {}
            for name, send in [
                ("reused", lambda: citizen.command("start", fresh)),
                ("revoked", lambda: citizen.command("start", revoked)),
                ("malformed deep link", lambda: citizen.command("start", "inv_%%%")),
                ("malformed code", lambda: citizen.command("invite", "xin-quyen-can-bo")),
                ("unknown", lambda: citizen.command("moi", "inv_" + "A" * 32)),
            ]:
                await send()
                answers[name] = binh.last.text
            clock.advance(days=2)
            await citizen.command("invite", short)
            answers["expired"] = binh.last.text
            await citizen.command("invite")
            answers["empty"] = binh.last.text

            assert "đã được dùng" in answers["reused"]
            assert "bị thu hồi" in answers["revoked"]
            assert "không đúng dạng" in answers["malformed deep link"]
            assert "không đúng dạng" in answers["malformed code"]
            assert "Mã mời không đúng" in answers["unknown"]
            assert "hết hạn" in answers["expired"]
            assert "/moi <mã mời>" in answers["empty"]
            assert all(a.startswith("⛔") for k, a in answers.items() if k != "empty")

            # Nothing a citizen can type or press makes them an official.
            for command, args in [("hopthu", None), ("inbox", None), ("thongke", None),
                                  ("stats", None), ("start", "admin"), ("invite", "admin")]:
                await citizen.command(command, args)
                assert "Hộp thư —" not in binh.last.text and "Thống kê —" not in binh.last.text
            for data in ("a:inbox:1", "a:fb_open:1", "a:pr_open:1"):
                await citizen.press_data(data)
                assert binh.last.text.startswith("⛔"), data
            await citizen.command("start")
            assert not any("Hộp thư" in b for b in binh.last.buttons)
        assert fake.errors == []

    async with db.session() as session:
        people = {p.display_name: p for p in (await session.exec(select(Person))).all()}
        rows = (await session.exec(select(Invite).order_by(Invite.id))).all()
    assert (people["An"].role, people["An"].level, people["An"].unit_code) == (
        "official", "commune", THANH_XUAN)
    assert (people["Bình"].role, people["Bình"].level, people["Bình"].unit_code) == (
        "citizen", None, None)
    assert rows[0].used_by == people["An"].id and rows[1].used_at is None
    assert all(fresh not in r.token_hash and len(r.token_hash) == 64 for r in rows)
    logged = " ".join(str(r.__dict__) for r in caplog.records)
    assert fresh not in logged and short not in logged and revoked not in logged
    reasons = [r.reason for r in caplog.records if r.getMessage() == "invite refused"]
    assert sorted(reasons) == sorted(["used", "revoked", "malformed", "malformed", "unknown",
                                      "expired", "malformed"])  # the last: /invite admin


async def test_an_officials_chat_gets_their_commands_in_its_menu_and_loses_them_with_the_role(
    settings, clock, db
):
    code = await make_invite(db, clock, unit=THANH_XUAN)
    async with FakeTelegram() as fake:
        an, binh = fake.user(4101, first_name="An"), fake.user(4102, first_name="Bình")
        async with running_app(settings, fake, clock) as app:
            official, citizen = TelegramDriver(app, fake, an), TelegramDriver(app, fake, binh)
            everyone = [c["command"] for c in fake.commands_for()]
            await citizen.command("start")
            await official.command("start", code)

            own = [c["command"] for c in fake.commands_for({"type": "chat", "chat_id": 4101})]
            assert {"inbox", "stats", "report", "deadlines"} <= set(own)
            assert set(everyone) < set(own)  # theirs, and everyone's
            assert fake.commands_for({"type": "chat", "chat_id": 4102}) == []

            async with db.session() as session:  # removed from office (dvk officials remove)
                person = (await session.exec(select(Person).where(
                    Person.display_name == "An"))).one()
                person.role = "citizen"
                session.add(person)
                await session.commit()
            await official.command("help")

            assert fake.commands_for({"type": "chat", "chat_id": 4101}) == []
            assert len(fake.calls_to("deleteMyCommands")) == 1
