"""Migration 0016_vote_rules recounts the votes stored before the rules: those of people with
no Telegram or Zalo account (a web chat session alone, a made-up cookie) go; the others stay,
declared residents of the practice's commune, as the old consultation asked."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import text

from storage.migrate import alembic_config
from storage.models import ChannelAccount, Person
from tests.support.factories import store_practice
from tests.support.officials import HOAN_KIEM

BEFORE = "0015_audit_log"


async def test_the_migration_drops_the_votes_that_break_the_rules(database_url, db, clock):
    config = alembic_config(database_url)
    practice_id = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=900)
    now = clock.now()
    async with db.session() as session:
        voters = {}
        for name, channel in (("on telegram", "telegram"), ("on zalo", "zalo_bot"),
                              ("web only", "web"), ("made-up cookie", "web")):
            person = Person(display_name=name, created_at=now)
            session.add(person)
            await session.flush()
            session.add(ChannelAccount(person_id=person.id, channel=channel,
                                       external_id=f"x{person.id}", chat_id=f"x{person.id}",
                                       created_at=now, last_seen_at=now))
            voters[name] = person.id
        demo_voter = Person(display_name="Người dân mẫu (dvk demo)", created_at=now)
        session.add(demo_voter)
        await session.flush()
        voters["demo"] = demo_voter.id
        await session.exec(text("UPDATE practice SET status = 'recognised'"))
        await session.commit()
    await db.dispose()  # migrations run on their own connections
    await asyncio.to_thread(command.downgrade, config, BEFORE)  # votes as they were stored
    async with db.session() as session:
        for person_id in voters.values():
            await session.exec(text(
                "INSERT INTO practicevote (practice_id, person_id, agrees, satisfaction, "
                "updated_at) VALUES (:practice, :person, :agrees, 5, :now)"),
                params={"practice": practice_id, "person": person_id, "agrees": True,
                        "now": now})
        await session.commit()
    await db.dispose()

    await asyncio.to_thread(command.upgrade, config, "head")

    async with db.session() as session:
        rows = (await session.exec(text(
            "SELECT person_id, resident_of FROM practicevote ORDER BY person_id"))).all()
    kept = {voters["on telegram"], voters["on zalo"], voters["demo"]}
    assert [tuple(row) for row in rows] == [(p, HOAN_KIEM) for p in sorted(kept)]
