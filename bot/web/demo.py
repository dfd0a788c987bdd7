"""`dvk demo`: load a few hundred demo practices, with photos, so the map shows something on a
fresh machine. Runs the migrations first; a second run leaves existing demo data alone.

Practices go in through the same repository function the bot uses, then get the recognitions
and citizens' votes officials and people would have added.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.media_store import open_media_store
from bot.web.demo_data import DemoPractice, demo_practices
from bot.web.demo_images import scene
from handlers.clock import Clock, SystemClock, to_db
from settings import Settings
from storage.db import Database
from storage.media import MediaStore
from storage.migrate import upgrade_async
from storage.models import Channel, Person, Practice, PracticeVote, Recognition
from storage.repositories import demo
from storage.units import UnitDirectory

PHOTOS_PER_FIELD = 12
BATCH = 50
VOTERS = 25


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `dvk demo` to the command line."""
    parser = subparsers.add_parser(
        "demo", help="load demo practices with photos, spread over the provinces",
        description="Load realistic demo practices (approved, recognised, a few awaiting "
                    "review) with generated photos, so the map shows something.")
    parser.add_argument("--count", type=int, default=300, help="how many (default 300)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.set_defaults(run=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    loaded = asyncio.run(load_demo(settings, count=args.count, seed=args.seed))
    if loaded:
        print(f"Loaded {loaded} demo practices. Start the product with `make run` and open "
              f"http://{settings.web.host}:{settings.web.port}/")
    else:
        print("Demo practices are already loaded; nothing to do.")
    return 0


async def load_demo(settings: Settings, *, count: int, seed: int,
                    clock: Clock | None = None) -> int:
    """Store `count` demo practices; returns how many (0 when demo data was already there)."""
    await upgrade_async(settings.database.url)
    db = Database(settings.database.url)
    try:
        async with db.session() as session:
            if await demo.count_demo_practices(session):
                return 0
        media = open_media_store(settings.media)
        pool = await asyncio.to_thread(_photo_pool, media, seed)
        now = (clock or SystemClock()).now()
        practices = demo_practices(UnitDirectory.load(), count, seed=seed, now=now)
        rng = random.Random(seed)
        for start in range(0, len(practices), BATCH):
            async with db.session() as session:
                submitter, official, voters = await demo.demo_people(
                    session, now=to_db(now), voters=VOTERS)
                for item in practices[start:start + BATCH]:
                    await _store(session, item, rng, pool, settings, submitter, official, voters)
                await session.commit()
        return len(practices)
    finally:
        await db.dispose()


async def _store(session: AsyncSession, item: DemoPractice, rng: random.Random,
                 pool: dict[str, list[dict[str, Any]]], settings: Settings,
                 submitter: Person, official: Person, voters: list[Person]) -> None:
    values = dict(item.values)
    created = values["created_at"]
    practice = Practice(**{**values, "created_at": to_db(created), "updated_at": to_db(created)},
                        submitter_id=submitter.id, status=item.status, answers={"demo": True})
    photos = rng.sample(pool[str(values["field"])], rng.randint(1, 3))
    recognitions = [
        Recognition(level=level, recognised_by=official.id,
                    unit_code=values["commune_code"] if level == "commune"
                    else values["province_code"] if level == "province" else None,
                    recognised_at=to_db(created + timedelta(days=30 * (index + 1))),
                    valid_until=to_db(created + timedelta(days=30 * (index + 1) + 5 * 365)))
        for index, level in enumerate(item.recognition_levels)
    ]
    votes = [PracticeVote(person_id=voter.id, agrees=rng.random() < 0.9,
                          satisfaction=rng.choice((3, 4, 4, 5, 5, 5)),
                          resident_of=values["commune_code"],  # demo residents of the commune
                          updated_at=to_db(created + timedelta(days=60)))
             for voter in voters[:item.voters]]
    await demo.add_practice_with_history(
        session, practice=practice, photos=photos,
        year=created.astimezone(settings.flows.tz).year, recognitions=recognitions, votes=votes)


def _photo_pool(media: MediaStore, seed: int) -> dict[str, list[dict[str, Any]]]:
    """A dozen generated photos per field, stored once; practices share them."""
    pool: dict[str, list[dict[str, Any]]] = {}
    for field in ("economy", "culture_society", "defence_security", "party_building"):
        pool[field] = []
        for index in range(PHOTOS_PER_FIELD):
            stored = media.save_image(scene(field, seed * 100 + index))
            pool[field].append({"sha256": stored.sha256, "path": stored.path,
                                "mime_type": stored.mime_type, "size_bytes": stored.size_bytes,
                                "platform_file_id": None, "channel": Channel.WEB.value})
    return pool
