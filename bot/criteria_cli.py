"""`dvk criteria …`: a commune or province issues its own specific criteria, without code.

    dvk criteria import FILE --unit CODE   check a YAML (or JSON) file and store it as the unit's
                                           next version; the latest applies at its level
    dvk criteria list --unit CODE          the criteria that apply there now, and the versions

The file has the shape of the built-in ones (handlers/criteria_data/commune.yaml): `version`,
`level` (the unit's: commune or province), `name` and `criteria`. A bad file is refused in one
line naming the fault; nothing is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from handlers.criteria import (
    CriteriaFileError,
    applicable,
    load_catalogue,
    parse_file,
)
from settings import Settings
from storage.db import Database
from storage.migrate import upgrade_async
from storage.models import Level
from storage.repositories import audit as audit_repo
from storage.repositories import criteria as criteria_repo
from storage.units import UnitDirectory, UnitInfo


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "criteria", help="import a commune's or province's own criteria; list what applies",
        description="Specific criteria of a commune or province (handlers/criteria.py).")
    actions = parser.add_subparsers(dest="criteria_action", required=True,
                                    metavar="{import,list}")
    importing = actions.add_parser("import", help="store a criteria file as the unit's next "
                                                  "version")
    importing.add_argument("file", type=Path)
    importing.add_argument("--unit", required=True,
                           help="commune code (5 digits) or province code (2 digits)")
    listing = actions.add_parser("list", help="the criteria that apply at a unit")
    listing.add_argument("--unit", required=True)
    parser.set_defaults(run=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    unit = UnitDirectory.load().get(args.unit)
    if unit is None:
        print(f"dvk criteria: --unit must be a commune or province code (got {args.unit!r})",
              file=sys.stderr)
        return 2
    try:
        catalogue = load_catalogue(settings.flows.criteria_dir)
        if args.criteria_action == "import":
            return asyncio.run(_import(settings, catalogue, args.file, unit))
    except CriteriaFileError as problem:
        print(f"dvk criteria: {problem}", file=sys.stderr)
        return 2
    return asyncio.run(_list(settings, catalogue, unit))


def _level_of(unit: UnitInfo) -> str:
    return Level.COMMUNE if unit.kind == "commune" else Level.PROVINCE


async def _import(settings: Settings, catalogue, path: Path, unit: UnitInfo) -> int:  # noqa: ANN001
    parsed = parse_file(path)
    level = _level_of(unit)
    if parsed.level != level:
        raise CriteriaFileError(f"{path}: level: must be {level} for {unit.label}, "
                                f"not {parsed.level}")
    builtin = {c.code for _, f in catalogue.builtin_for(level) for c in f.criteria}
    if clash := sorted(builtin & {c.code for c in parsed.criteria}):
        raise CriteriaFileError(f"{path}: criteria: code already used by the built-in "
                                f"criteria: {', '.join(clash)}")
    db = await _database(settings)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            row = await criteria_repo.import_set(
                session, unit_code=unit.code, level=level, label=parsed.version,
                content=parsed.model_dump(mode="json"), source_name=path.name, now=now)
            await audit_repo.append(
                session, at=now, actor_id=None, actor_role="operator", action="criteria.import",
                record_kind="criteria", record_id=row.id, unit_code=unit.code,
                province_code=unit.province_code, channel=audit_repo.CLI_CHANNEL,
                detail=f"version {row.version} ({parsed.version})")
            await session.commit()
    finally:
        await db.dispose()
    print(f"Criteria of {unit.label} ({level} level): version {row.version} "
          f"(file {parsed.version}), {len(parsed.criteria)} criteria: "
          f"{', '.join(c.code for c in parsed.criteria)}.")
    return 0


async def _list(settings: Settings, catalogue, unit: UnitInfo) -> int:  # noqa: ANN001
    level = _level_of(unit)
    db = await _database(settings)
    try:
        async with db.session() as session:
            commune = unit.code if level == Level.COMMUNE else ""
            current = await applicable(session, catalogue, level=level, commune_code=commune,
                                       province_code=unit.province_code)
            history = await criteria_repo.sets_of(session, unit.code)
    finally:
        await db.dispose()
    print(f"Criteria at {unit.label} ({level} level), version {current.version}:")
    for criterion in current.criteria:
        unit_word = f" ({criterion.unit.vi})" if criterion.unit else ""
        needed = "required" if criterion.required else "optional"
        print(f"  {criterion.code}\t{criterion.kind}{unit_word}\t{needed}\t{criterion.text.vi}")
    for row in history:
        print(f"Imported version {row.version} (file {row.label}) from {row.source_name} "
              f"on {row.imported_at:%Y-%m-%d %H:%M} UTC")
    return 0


async def _database(settings: Settings) -> Database:
    await upgrade_async(settings.database.url)
    return Database(settings.database.url)
