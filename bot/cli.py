"""`dvk`: the operator's command line. Each subcommand lives beside the code it serves and adds
itself with a `register(subparsers)` function listed in `SUBCOMMANDS`; its handler receives the
settings and the parsed arguments and returns the exit status.

    dvk serve                               run the product (the same as `python -m bot`)
    dvk demo [--count 300] [--seed 2026]   load demo practices with photos for the map
    dvk invite --unit 00367 --level commune --expires 7d   a single-use invite for an official
    dvk invite list | revoke <id>           invites, and stopping an unused one
    dvk officials list | remove <person>    who is an official; making one a citizen again
    dvk oa-auth [--redirect-uri URL]        first OAuth grant for the Zalo Official Account
    dvk deadlines list | add | move | remove    the evaluation calendar (scheduler/cli.py)
    dvk backup --to DIR | restore --from DIR    database and media, with a manifest
    dvk audit [--since] [--person] [--unit] [--format csv|jsonl]   export the audit log
    dvk person erase <person id> [--yes]    erase a person's data (a request on paper)
    dvk poster --unit CODE | --practice CODE   a printable A4 poster or A6 plaque with QR codes
    dvk apikey create --name NAME | list | revoke <id>   partner apps' keys for Open311 POST
    dvk criteria import FILE --unit CODE | list --unit CODE   a unit's own criteria
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from bot import (
    apikey_cli,
    audit_cli,
    backup_cli,
    criteria_cli,
    oa_auth_cli,
    officials_admin,
    person_cli,
    posters_cli,
)
from bot.logs import configure_logging
from bot.web import demo
from handlers.criteria import CriteriaFileError, load_catalogue
from scheduler import cli as scheduler_cli
from settings import Settings, load_settings
from storage.upgrade_process import DatabaseUnavailable

Register = Callable[[argparse._SubParsersAction], None]



def _register_serve(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the product: web server, channels, scheduler (like `python -m bot`)")
    parser.set_defaults(run=_serve)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import serve  # the whole product: only this subcommand needs it
    from storage.leader import AlreadyRunning

    load_catalogue(settings.flows.criteria_dir)  # a bad criteria file stops here, before anything

    try:
        asyncio.run(serve(settings))
    except AlreadyRunning as running:
        print(f"Another bot process is already running on the SQLite database {running}: "
              "SQLite serves one process (use PostgreSQL for several workers).", file=sys.stderr)
        return 2
    return 0


SUBCOMMANDS: tuple[Register, ...] = (
    _register_serve,
    demo.register,
    officials_admin.register_invite,
    officials_admin.register_officials,
    oa_auth_cli.register,
    scheduler_cli.register,
    backup_cli.register,
    audit_cli.register,
    person_cli.register,
    posters_cli.register,
    apikey_cli.register,
    criteria_cli.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dvk", description="Dân vận khéo bot: operator tools.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    configure_logging(settings.log.level, settings.log.format)
    try:
        return int(args.run(settings, args))
    except DatabaseUnavailable as problem:  # like a bad setting: one line, status 2
        print(f"Cannot open the database of DATABASE_URL: {problem}", file=sys.stderr)
        return 2
    except CriteriaFileError as problem:  # a bad criteria file stops start-up in one line
        print(f"Invalid criteria file {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
