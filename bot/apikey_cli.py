"""`dvk apikey`: keys for partner applications that file feedback through Open311
(`POST /open311/v2/requests.json`, bot/web/open311.py).

    dvk apikey create --name "Ứng dụng Phường X"   prints the key once; only its hash is kept
    dvk apikey list                                 id, name, made, last used, revoked
    dvk apikey revoke <id>                          the key stops working at once

Each action is audited as the operator's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from settings import Settings
from storage.db import Database
from storage.migrate import upgrade_async
from storage.repositories import api_keys
from storage.repositories import audit as audit_repo


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("apikey", help="API keys of partner apps for Open311")
    actions = parser.add_subparsers(dest="apikey_action", required=True,
                                    metavar="{create,list,revoke}")
    create = actions.add_parser("create", help="make a key and print it (once)")
    create.add_argument("--name", required=True, help="the partner application's name")
    actions.add_parser("list", help="every key, without the keys themselves")
    revoke = actions.add_parser("revoke", help="stop a key at once")
    revoke.add_argument("key_id", type=int)
    parser.set_defaults(run=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade_async(settings.database.url)
    db = Database(settings.database.url)
    try:
        async with db.session() as session:
            status = await ACTIONS[args.apikey_action](session, args, datetime.now(UTC))
            await session.commit()
    finally:
        await db.dispose()
    return status


async def _create(session: AsyncSession, args: argparse.Namespace, now: datetime) -> int:
    name = args.name.strip()
    if not 1 <= len(name) <= 100:
        print("dvk apikey create: --name must be 1 to 100 characters", file=sys.stderr)
        return 2
    stored, key = await api_keys.create_key(session, name=name, now=now)
    await _audit(session, now, "apikey.create", stored.id, name)
    print(f"API key {stored.id} for {name} (shown once, only its hash is kept):\n{key}")
    return 0


async def _list(session: AsyncSession, args: argparse.Namespace, now: datetime) -> int:
    print("id\tname\tcreated\tlast used\trevoked")
    for key in await api_keys.list_keys(session):
        print("\t".join([str(key.id), key.name, _day(key.created_at), _day(key.last_used_at),
                         _day(key.revoked_at)]))
    return 0


async def _revoke(session: AsyncSession, args: argparse.Namespace, now: datetime) -> int:
    found = await api_keys.revoke(session, key_id=args.key_id, now=now)
    if found is None:
        print(f"dvk apikey revoke: no key {args.key_id}", file=sys.stderr)
        return 1
    await _audit(session, now, "apikey.revoke", found.id, found.name)
    print(f"API key {found.id} ({found.name}) revoked")
    return 0


async def _audit(session: AsyncSession, now: datetime, action: str, key_id: int | None,
                 name: str) -> None:
    await audit_repo.append(session, at=now, actor_id=None, actor_role="operator",
                            action=action, record_kind="apikey", record_id=key_id,
                            channel=audit_repo.CLI_CHANNEL, detail=name)


def _day(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


ACTIONS = {"create": _create, "list": _list, "revoke": _revoke}
