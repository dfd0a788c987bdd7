"""`dvk invite …` and `dvk officials …`: the only way anyone becomes (or stops being) an official.

    dvk invite --unit 00367 --level commune --expires 7d   a single-use invite link and code
    dvk invite --level central --role admin                 an admin of the central level
    dvk invite list                                         invites and whether they were used
    dvk invite revoke 12                                    an unused invite stops working
    dvk officials list [--unit 00367]                       who is an official, where
    dvk officials remove 45                                 person 45 is a citizen again

The token is printed once; only its SHA-256 is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import UTC, datetime, timedelta

from annotated_types import MaxLen

from settings import Settings
from storage.db import Database
from storage.migrate import upgrade_async
from storage.models import MAX_ID, Invite, Level, Role
from storage.repositories import audit as audit_repo
from storage.repositories import invites as invites_repo
from storage.repositories import officials as officials_repo
from storage.units import UnitDirectory

_DURATION = re.compile(r"^(\d{1,4})([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """ "7d", "12h", "30m" → a timedelta (argparse type)."""
    found = _DURATION.match(text.strip().lower())
    if not found or int(found.group(1)) == 0:
        raise argparse.ArgumentTypeError("use a number and m, h or d, like 7d, 12h or 30m")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def register_invite(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "invite", help="make a single-use invite for an official; list or revoke invites",
        description="Print a single-use invite link (and its bare code, for Zalo and the web "
                    "chat) that makes whoever opens it an official of a unit.")
    parser.add_argument("--unit", help="commune code (5 digits) or province code (2 digits)")
    parser.add_argument("--level", choices=[str(level) for level in Level],
                        help="commune, province or central (central needs no --unit)")
    parser.add_argument("--role", choices=[Role.OFFICIAL.value, Role.ADMIN.value],
                        default=Role.OFFICIAL.value, help="official (default) or admin")
    parser.add_argument("--expires", type=parse_duration, default=timedelta(days=7),
                        help="how long it stays valid: 30m, 12h, 7d (default 7d)")
    parser.add_argument("--note", help="who it is for (kept with the invite, never shown)")
    actions = parser.add_subparsers(dest="invite_action", metavar="{list,revoke}")
    actions.add_parser("list", help="list invites")
    revoke = actions.add_parser("revoke", help="revoke an unused invite")
    revoke.add_argument("invite_id", type=int)
    parser.set_defaults(run=_run_invite)


def register_officials(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("officials", help="list or remove officials")
    actions = parser.add_subparsers(dest="officials_action", required=True,
                                    metavar="{list,remove}")
    listing = actions.add_parser("list", help="list officials")
    listing.add_argument("--unit", help="only this unit's officials")
    remove = actions.add_parser("remove", help="make an official a citizen again")
    remove.add_argument("person_id", type=int)
    parser.set_defaults(run=_run_officials)


def _run_invite(settings: Settings, args: argparse.Namespace) -> int:
    if args.invite_action == "list":
        return asyncio.run(_list_invites(settings))
    if args.invite_action == "revoke":
        return asyncio.run(_revoke(settings, args.invite_id))
    problem = _check_unit(args.level, args.unit) or _check_note(args.note)
    if problem:
        print(f"dvk invite: {problem}", file=sys.stderr)
        return 2
    return asyncio.run(_create(settings, args))


def _run_officials(settings: Settings, args: argparse.Namespace) -> int:
    if args.officials_action == "remove":
        return asyncio.run(_remove(settings, args.person_id))
    return asyncio.run(_list_officials(settings, args.unit))


def _check_unit(level: str | None, unit: str | None) -> str | None:
    if level is None:
        return "--level is required (commune, province or central)"
    if level == Level.CENTRAL:
        return "the central level covers every unit: leave out --unit" if unit else None
    found = UnitDirectory.load().get(unit or "")
    wanted = "commune" if level == Level.COMMUNE else "province"
    if found is None or found.kind != wanted:
        return f"--unit must be a {wanted} code for --level {level} (got {unit!r})"
    return None


def _note_max_chars() -> int:
    """The longest note an invite keeps (its field's max_length, the column's length)."""
    return next(rule.max_length for rule in Invite.model_fields["note"].metadata
                if isinstance(rule, MaxLen))


NOTE_MAX_CHARS = _note_max_chars()


def _check_note(note: str | None) -> str | None:
    """The note is kept in a column of fixed width: a longer one is refused here, in one line,
    rather than as a database error (PostgreSQL) or silently (SQLite)."""
    if note is not None and len(note) > NOTE_MAX_CHARS:
        return f"--note must be at most {NOTE_MAX_CHARS} characters (got {len(note)})"
    if note is not None and not note.isprintable():
        return "--note must be one line of printable text"
    return None


async def _database(settings: Settings) -> Database:
    await upgrade_async(settings.database.url)
    return Database(settings.database.url)


async def _create(settings: Settings, args: argparse.Namespace) -> int:
    db = await _database(settings)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            invite, token = await invites_repo.create_invite(
                session, role=args.role, level=args.level,
                unit_code=None if args.level == Level.CENTRAL else args.unit,
                expires_at=now + args.expires, now=now, note=args.note)
            await _audit(session, now, "invite.create", "invite", invite.id,
                         None if args.level == Level.CENTRAL else args.unit,
                         f"{args.role} {args.level}")
            await session.commit()
    finally:
        await db.dispose()
    until = (now + args.expires).astimezone(settings.flows.tz).strftime("%Y-%m-%d %H:%M")
    print(f"Invite #{invite.id}: {args.role} of {_where(args.level, args.unit)}, "
          f"single use, valid until {until} ({settings.flows.timezone}).")
    if settings.telegram.bot_username:
        print(f"Telegram link: https://t.me/{settings.telegram.bot_username}?start={token}")
    else:
        print("Telegram link: set TELEGRAM_BOT_USERNAME to print it.")
    print(f"Code (Zalo, web chat: send /invite <code>): {token}")
    print("The code is shown only now; only its hash is stored. "
          f"Revoke it with: dvk invite revoke {invite.id}")
    return 0


def _where(level: str, unit: str | None) -> str:
    if level == Level.CENTRAL:
        return "the central level"
    found = UnitDirectory.load().get(unit or "")
    return f"{found.label if found else unit} ({level} level)"


async def _list_invites(settings: Settings) -> int:
    db = await _database(settings)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            rows = await invites_repo.list_invites(session)
    finally:
        await db.dispose()
    if not rows:
        print("No invites yet.")
    for invite in rows:
        problem = _state(invite, now)
        print(f"#{invite.id}\t{invite.role}\t{_where(invite.level, invite.unit_code)}\t"
              f"{problem or 'open'}\t{invite.note or ''}")
    return 0


def _state(invite: Invite, now: datetime) -> str | None:
    """Why an invite no longer works, or None while it is open."""
    if invite.revoked_at is not None:
        return "revoked"
    if invite.used_at is not None:
        return f"used by person {invite.used_by}"
    expires = invite.expires_at.replace(tzinfo=UTC) if invite.expires_at.tzinfo is None \
        else invite.expires_at
    return "expired" if expires <= now else None


async def _revoke(settings: Settings, invite_id: int) -> int:
    db = await _database(settings)
    try:
        async with db.session() as session:
            now = datetime.now(UTC)
            invite = await invites_repo.revoke(session, invite_id=invite_id, now=now)
            if invite is not None:
                await _audit(session, now, "invite.revoke", "invite", invite_id,
                             invite.unit_code, None)
            await session.commit()
    finally:
        await db.dispose()
    if invite is None:
        print(f"dvk invite revoke: no invite #{invite_id}", file=sys.stderr)
        return 1
    used = f" (it was already used by person {invite.used_by})" if invite.used_at else ""
    print(f"Invite #{invite_id} is revoked{used}.")
    return 0


async def _list_officials(settings: Settings, unit: str | None) -> int:
    db = await _database(settings)
    try:
        async with db.session() as session:
            rows = await officials_repo.list_officials(session, unit_code=unit)
    finally:
        await db.dispose()
    if not rows:
        print("No officials yet. Make one with: dvk invite --unit <code> --level commune")
    for person, accounts in rows:
        reached = ", ".join(f"{a.channel}:@{a.username}" if a.username else a.channel
                            for a in accounts)
        print(f"{person.id}\t{person.role}\t{_where(person.level or '', person.unit_code)}\t"
              f"{person.display_name}\t{reached}")
    return 0


async def _remove(settings: Settings, person_id: int) -> int:
    db = await _database(settings)
    try:
        async with db.session() as session:
            before = (await officials_repo.people_by_id(session, [person_id])
                      if person_id <= MAX_ID else {})
            unit = before[person_id].unit_code if person_id in before else None
            person = await officials_repo.remove_official(session, person_id=person_id)
            if person is not None:
                await _audit(session, datetime.now(UTC), "role.remove", "person", person_id,
                             unit, None)
            await session.commit()
    finally:
        await db.dispose()
    if person is None:
        print(f"dvk officials remove: person {person_id} is not an official", file=sys.stderr)
        return 1
    print(f"Person {person_id} ({person.display_name}) is no longer an official.")
    return 0


async def _audit(session, now: datetime, action: str, kind: str,  # noqa: ANN001
                 record_id: int | None, unit_code: str | None, detail: str | None) -> None:
    """The operator's own actions are audited like an official's, from the channel "cli"."""
    unit = UnitDirectory.load().get(unit_code) if unit_code else None
    await audit_repo.append(session, at=now, actor_id=None, actor_role="operator",
                            action=action, record_kind=kind, record_id=record_id,
                            unit_code=unit_code,
                            province_code=unit.province_code if unit else None,
                            channel=audit_repo.CLI_CHANNEL, detail=detail)
