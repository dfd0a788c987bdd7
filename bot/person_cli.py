"""`dvk person erase <person id>`: a person's erasure requested on paper, done exactly as
/xoadulieu does it in the chat (storage/repositories/personal_data.py), audited as the
operator's action.

    dvk person erase 45          asks to type the id again, then erases
    dvk person erase 45 --yes    without asking (scripts)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot.media_store import open_media_store
from handlers.consent import current_version
from handlers.my_data import delete_files
from settings import Settings
from storage.db import Database
from storage.migrate import upgrade_async
from storage.repositories import audit as audit_repo
from storage.repositories import personal_data


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("person", help="erase a person's data (a request on paper)")
    actions = parser.add_subparsers(dest="person_action", required=True, metavar="{erase}")
    erase = actions.add_parser("erase", help="erase a person's personal data for good")
    erase.add_argument("person_id", type=int)
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(run=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    if not args.yes:
        typed = input(f"Erase person {args.person_id} for good? Type the id again: ").strip()
        if typed != str(args.person_id):
            print("dvk person erase: not confirmed, nothing done", file=sys.stderr)
            return 1
    return asyncio.run(_erase(settings, args.person_id))


async def _erase(settings: Settings, person_id: int) -> int:
    await upgrade_async(settings.database.url)
    db = Database(settings.database.url)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            try:
                erasure = await personal_data.erase_person(
                    session, person_id=person_id, channel=audit_repo.CLI_CHANNEL, now=now,
                    version=current_version())
            except personal_data.StillOfficial:
                print(f"dvk person erase: person {person_id} is an official; remove the role "
                      f"first (dvk officials remove {person_id})", file=sys.stderr)
                return 1
            if erasure is None:
                print(f"dvk person erase: no person {person_id}", file=sys.stderr)
                return 1
            await audit_repo.append(
                session, at=now, actor_id=None, actor_role="operator", action="person.erase",
                record_kind="person", record_id=person_id, channel=audit_repo.CLI_CHANNEL,
                detail=f"feedback {erasure.feedback}, practices {erasure.practices}, "
                       f"photos {erasure.photos}")
            await session.commit()
    finally:
        await db.dispose()
    await delete_files(open_media_store(settings.media), erasure, person_id)
    print(f"Person {person_id} erased: {erasure.accounts} accounts, {erasure.feedback} "
          f"feedback, {erasure.practices} practices, {erasure.photos} photos.")
    return 0
