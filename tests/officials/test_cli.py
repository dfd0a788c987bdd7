"""`dvk invite` and `dvk officials`: the operator's side of making and removing officials."""

from __future__ import annotations

import re

import pytest

from bot.cli import build_parser
from storage.models import Person
from storage.repositories import demo
from storage.repositories import officials as officials_repo
from tests.support.officials import HOAN_KIEM, THANH_XUAN


def run(settings, *argv: str) -> int:  # noqa: ANN001
    args = build_parser().parse_args(list(argv))
    return int(args.run(settings, args))


@pytest.fixture
def cli_settings(settings):
    return settings.updated(telegram_bot_username="dvk_test_bot")


async def test_invite_link_makes_an_official_then_list_and_remove(cli_settings, make_chat, db,
                                                                   capsys):
    import asyncio

    assert await asyncio.to_thread(run, cli_settings, "invite", "--unit", THANH_XUAN,
                                   "--level", "commune", "--expires", "7d") == 0
    printed = capsys.readouterr().out
    link = re.search(r"https://t\.me/dvk_test_bot\?start=(inv_[A-Za-z0-9_-]+)", printed)
    assert link and f"Code (Zalo, web chat: send /invite <code>): {link.group(1)}" in printed
    assert "Phường Thanh Xuân, Thành phố Hà Nội (commune level)" in printed

    chat = make_chat(4001, "An")
    await chat.command("invite", link.group(1))  # the bare code, as typed on Zalo
    assert "cán bộ dân vận cấp cơ sở" in chat.last.text

    assert await asyncio.to_thread(run, cli_settings, "invite", "list") == 0
    assert "#1\tofficial\tPhường Thanh Xuân" in capsys.readouterr().out
    assert await asyncio.to_thread(run, cli_settings, "officials", "list") == 0
    listed = capsys.readouterr().out
    assert "\tofficial\tPhường Thanh Xuân" in listed and "\tAn\ttelegram" in listed
    person_id = int(listed.split("\t", 1)[0])
    assert await asyncio.to_thread(run, cli_settings, "officials", "remove",
                                   str(person_id)) == 0
    async with db.session() as session:
        person = await session.get(Person, person_id)
    assert (person.role, person.unit_code) == ("citizen", None)
    assert await asyncio.to_thread(run, cli_settings, "officials", "remove",
                                   str(person_id)) == 1
    assert await asyncio.to_thread(run, cli_settings, "officials", "remove",
                                   "99999999999") == 1  # beyond any id: no such official


async def test_revoked_invite_no_longer_works(cli_settings, make_chat, capsys):
    import asyncio

    await asyncio.to_thread(run, cli_settings, "invite", "--level", "central", "--role", "admin")
    code = re.search(r"(inv_[A-Za-z0-9_-]+)", capsys.readouterr().out).group(1)
    assert await asyncio.to_thread(run, cli_settings, "invite", "revoke", "1") == 0
    assert "revoked" in capsys.readouterr().out
    chat = make_chat(4001, "An")
    await chat.command("start", code)
    assert "bị thu hồi" in chat.last.text
    assert await asyncio.to_thread(run, cli_settings, "invite", "revoke", "9") == 1
    assert await asyncio.to_thread(run, cli_settings, "invite", "revoke", "99999999999") == 1


@pytest.mark.parametrize("argv", [
    ("invite", "--unit", "01", "--level", "commune"),  # a province code for a commune
    ("invite", "--unit", THANH_XUAN, "--level", "province"),
    ("invite", "--unit", "99999", "--level", "commune"),
    ("invite", "--unit", "01", "--level", "central"),
    ("invite", "--unit", THANH_XUAN),
])
def test_bad_invites_are_refused(settings, argv, capsys):
    assert run(settings, *argv) == 2
    assert "dvk invite:" in capsys.readouterr().err


@pytest.mark.parametrize("note", ["x" * 201, "Anh Lâm\nphường Thanh Xuân"])
async def test_a_note_too_long_or_on_two_lines_is_refused_in_one_line(settings, db, note, capsys):
    import asyncio

    from sqlmodel import select

    from storage.models import Invite

    assert await asyncio.to_thread(run, settings, "invite", "--unit", THANH_XUAN, "--level",
                                   "commune", "--note", note) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("dvk invite: --note must be")
    assert out.err.count("\n") == 1
    async with db.session() as session:
        assert (await session.exec(select(Invite))).all() == []
    assert await asyncio.to_thread(run, settings, "invite", "--unit", THANH_XUAN, "--level",
                                   "commune", "--note", "x" * 200) == 0


def test_bad_durations_are_refused(settings):
    for bad in ("0d", "7w", "abc", "-1d"):
        with pytest.raises(SystemExit):
            run(settings, "invite", "--unit", THANH_XUAN, "--level", "commune", "--expires", bad)


async def test_officials_are_listed_central_first_then_by_unit(db, clock):
    async with db.session() as session:
        for name, level, unit in (("Thanh Xuân", "commune", THANH_XUAN), ("Trung ương", "central",
                                  None), ("Hoàn Kiếm", "commune", HOAN_KIEM)):
            person = await demo.add_person(session, display_name=name, role="citizen",
                                           now=clock.now())
            await officials_repo.make_official(session, person=person, role="official",
                                               level=level, unit_code=unit)
        listed = await officials_repo.list_officials(session)
    assert [person.display_name for person, _ in listed] == ["Trung ương", "Hoàn Kiếm",
                                                             "Thanh Xuân"]
