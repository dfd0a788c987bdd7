"""`dvk deadlines …` (or `python -m scheduler.cli deadlines …`): admins edit the calendar.

    dvk deadlines list [--level commune] [--all]      upcoming (or all) active deadlines
    dvk deadlines add 2027-09-30 evaluation "Title" --level commune [--scope 00070]
    dvk deadlines move 12 2027-10-05                  change a date
    dvk deadlines remove 12                           take one off the calendar

Officials change the deadlines of their own jurisdiction in the chat with /deadlines. Reminders
follow any change at the scheduler's next pass (within minutes); reminders of the old date
still waiting in the outbox are dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime

from settings import Settings, load_settings
from storage.db import Database
from storage.migrate import upgrade_async
from storage.models import DeadlineKind, Level
from storage.repositories import audit as audit_repo
from storage.repositories import deadlines as deadlines_repo
from storage.units import UnitDirectory


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("deadlines", help="list or edit the evaluation calendar")
    actions = parser.add_subparsers(dest="deadlines_action", required=True,
                                    metavar="{list,add,move,remove}")
    listing = actions.add_parser("list", help="active deadlines, upcoming first")
    listing.add_argument("--level", choices=[str(level) for level in Level])
    listing.add_argument("--all", action="store_true", help="past ones too")
    add = actions.add_parser("add", help="add a deadline")
    add.add_argument("due", type=date.fromisoformat, help="YYYY-MM-DD")
    add.add_argument("kind", choices=[str(kind) for kind in DeadlineKind])
    add.add_argument("title")
    add.add_argument("--level", choices=[str(level) for level in Level], required=True)
    add.add_argument("--scope", help="a province (2 digits) or commune (5 digits) code; "
                                     "none means every unit of the level")
    move = actions.add_parser("move", help="change a deadline's date")
    move.add_argument("deadline_id", type=int)
    move.add_argument("due", type=date.fromisoformat, help="YYYY-MM-DD")
    remove = actions.add_parser("remove", help="take a deadline off the calendar")
    remove.add_argument("deadline_id", type=int)
    parser.set_defaults(run=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    if getattr(args, "scope", None) and UnitDirectory.load().get(args.scope) is None:
        print(f"dvk deadlines: unknown unit code {args.scope!r}", file=sys.stderr)
        return 2
    await upgrade_async(settings.database.url)
    db = Database(settings.database.url)
    try:
        async with db.session() as session:
            status = await _act(session, settings, args)
            await session.commit()
        return status
    finally:
        await db.dispose()


async def _act(session, settings: Settings, args: argparse.Namespace) -> int:  # noqa: ANN001
    now = datetime.now(UTC)
    action = args.deadlines_action
    if action == "list":
        today = now.astimezone(settings.flows.tz).date()
        found = await deadlines_repo.upcoming(
            session, scopes=None, since=date.min if args.all else today, until=date.max,
            limit=10_000)
        for d in found:
            if args.level in (None, d.level):
                print(f"{d.id:>5}  {d.due_date:%Y-%m-%d}  {d.level:<8} {d.scope_code or 'all':<6}"
                      f" {d.kind:<14} {d.title}")
        return 0
    if action == "add":
        created = await deadlines_repo.create(
            session, level=args.level, scope_code=args.scope, kind=args.kind, title=args.title,
            due_date=args.due, created_by=None, now=now)
        await _audit(session, now, "deadline.add", created.id, args.scope, args.due)
        print(f"added deadline {created.id}")
        return 0
    deadline = await deadlines_repo.get(session, args.deadline_id)
    if deadline is None or not deadline.active:
        print(f"dvk deadlines: no active deadline {args.deadline_id}", file=sys.stderr)
        return 1
    reason = "the deadline moved" if action == "move" else "the deadline was removed"
    await deadlines_repo.cancel_scheduled(session, deadline_id=deadline.id, reason=reason)
    if action == "move":
        deadline.due_date = args.due
    else:
        deadline.active = False
    deadline.updated_at = now
    session.add(deadline)
    await _audit(session, now, f"deadline.{action}", deadline.id, deadline.scope_code,
                 deadline.due_date)
    print(f"{'moved' if action == 'move' else 'removed'} deadline {deadline.id}")
    return 0


async def _audit(session, now: datetime, action: str, deadline_id: int | None,  # noqa: ANN001
                 scope: str | None, due: date) -> None:
    unit = UnitDirectory.load().get(scope) if scope else None
    await audit_repo.append(session, at=now, actor_id=None, actor_role="operator", action=action,
                            record_kind="deadline", record_id=deadline_id, unit_code=scope,
                            province_code=unit.province_code if unit else None,
                            channel=audit_repo.CLI_CHANNEL, detail=due.isoformat())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler.cli")
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    return int(args.run(load_settings(), args))


if __name__ == "__main__":
    raise SystemExit(main())
