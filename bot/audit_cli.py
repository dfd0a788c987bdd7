"""`dvk audit`: export the audit log (who did what to which record, when, from where).

    dvk audit                                  everything, CSV on standard output
    dvk audit --since 2026-11-01 --unit 01     a province's records (or a commune's: 00367)
    dvk audit --person 12 --format jsonl       one official's actions, one JSON object a line

The export itself is audited.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from datetime import UTC, datetime

from settings import Settings
from storage.db import Database
from storage.migrate import upgrade_async
from storage.models import AuditEntry
from storage.repositories import audit as audit_repo

COLUMNS = ("id", "at", "actor_id", "actor_role", "action", "record_kind", "record_id",
           "record_code", "unit_code", "province_code", "channel", "detail")


def _since(text: str) -> datetime:
    try:
        found = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError("use a date like 2026-11-01 (or 2026-11-01T08:00)") \
            from error
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="export the audit log (CSV or JSON lines)")
    parser.add_argument("--since", type=_since, help="from this date (YYYY-MM-DD), UTC")
    parser.add_argument("--person", type=int, help="only this official's actions (person id)")
    parser.add_argument("--unit", help="only records of this commune or province code")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.set_defaults(run=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_export(settings, args))


def _row(entry: AuditEntry) -> dict:
    row = {name: getattr(entry, name) for name in COLUMNS}
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    row["at"] = at.isoformat()
    return row


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade_async(settings.database.url)
    db = Database(settings.database.url)
    try:
        async with db.session() as session:
            entries = await audit_repo.list_entries(
                session, since=args.since, actor_id=args.person, unit_code=args.unit)
            rows = [_row(entry) for entry in entries]
            await audit_repo.append(
                session, at=datetime.now(UTC), actor_id=None, actor_role="operator",
                action="audit.export", record_kind="audit", unit_code=args.unit,
                channel=audit_repo.CLI_CHANNEL, detail=f"{len(rows)} rows, {args.format}")
            await session.commit()
    finally:
        await db.dispose()
    if args.format == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0
