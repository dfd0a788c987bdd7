"""`dvk backup --to DIR` and `dvk restore --from DIR`: the database and the media store, with
a manifest of row counts and checksums (storage/backup/). Restore writes only into an empty
database and an empty media store, and refuses anything else with one line (exit status 1)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.media_store import media_objects
from settings import Settings
from storage.backup import BackupError, backup, restore


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `dvk backup` and `dvk restore` to the command line."""
    parser = subparsers.add_parser(
        "backup", help="copy the database and the media store into a new folder",
        description="Write a consistent copy of the database (SQLite's online backup, or "
                    "pg_dump) and every media object into DIR, with manifest.json (rows per "
                    "table, checksums). The bot may keep running.")
    parser.add_argument("--to", required=True, type=Path, metavar="DIR",
                        help="a new or empty folder")
    parser.set_defaults(run=_backup)
    parser = subparsers.add_parser(
        "restore", help="put a backup back into an empty database and media store",
        description="Check a backup made by `dvk backup`, then restore it into the database "
                    "of DATABASE_URL and the media store of MEDIA_STORE / MEDIA_DIR, both of "
                    "which must be empty. Start the bot afterwards.")
    parser.add_argument("--from", required=True, type=Path, metavar="DIR", dest="source",
                        help="a folder written by dvk backup")
    parser.set_defaults(run=_restore)


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    try:
        manifest = asyncio.run(backup(database_url=settings.database.url,
                                      objects=media_objects(settings.media), to=args.to))
    except BackupError as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 1
    rows = sum(manifest.database.tables.values())
    print(f"Backed up {rows} rows in {len(manifest.database.tables)} tables and "
          f"{manifest.media.objects} media objects into {args.to}")
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    try:
        manifest = asyncio.run(restore(database_url=settings.database.url,
                                       objects=media_objects(settings.media), source=args.source))
    except BackupError as error:
        print(f"Restore refused: {error}", file=sys.stderr)
        return 1
    rows = sum(manifest.database.tables.values())
    print(f"Restored {rows} rows in {len(manifest.database.tables)} tables and "
          f"{manifest.media.objects} media objects from the backup of "
          f"{manifest.created_at}; row counts and checksums match its manifest")
    return 0
