"""SQLite on the event loop (storage/sqlite_inloop.py): two databases on one file, as the bot
and the `dvk` command line are, take turns at the writer lock without blocking the loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Person
from tests.support.backend import ON_POSTGRES

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


async def add(db: Database, name: str) -> None:
    async with db.session() as session:
        session.add(Person(display_name=name, language="vi", created_at=NOW))
        await session.commit()


async def names(db: Database) -> list[str]:
    async with db.reading() as session:
        return sorted((await session.exec(select(Person.display_name))).all())


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's writer lock: PostgreSQL lets both write")
async def test_a_writer_waits_for_another_connections_lock_while_the_loop_runs_on(
    database_url: str,
) -> None:
    bot, cli = Database(database_url), Database(database_url)
    try:
        async with bot.session() as session:
            session.add(Person(display_name="Lan", language="vi", created_at=NOW))
            await session.flush()  # the bot's transaction now holds SQLite's writer lock

            waiting = asyncio.create_task(add(cli, "Minh"))
            for _ in range(20):  # the loop keeps turning while the other writer waits
                await asyncio.sleep(0)
            assert not waiting.done()

            await session.commit()
        await asyncio.wait_for(waiting, timeout=10)

        assert await names(bot) == ["Lan", "Minh"]
        assert await names(cli) == ["Lan", "Minh"]
    finally:
        await bot.dispose()
        await cli.dispose()


async def test_a_failed_transaction_leaves_nothing_behind(db: Database) -> None:
    try:
        async with db.session() as session:
            session.add(Person(display_name="Nửa chừng", language="vi", created_at=NOW))
            await session.flush()
            raise RuntimeError("the flow crashed")
    except RuntimeError:
        pass
    await add(db, "Lan")

    assert await names(db) == ["Lan"]
