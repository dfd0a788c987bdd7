"""Async engine and session factory; SQLite gets the pragmas it needs for concurrent use."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # Sessions always end in an explicit commit or rollback, so the pool's extra rollback
        # on return is only a wasted round trip to the driver thread.
        engine = create_async_engine(url, connect_args={"timeout": 30},
                                     pool_reset_on_return=None)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    # The driver opens BEGIN IMMEDIATE itself just before a transaction's first write: writers
    # queue on the lock instead of failing on a read-to-write upgrade, at no extra round trip.
    # Reads before that point see the latest commit; `Database` lets one session run at a
    # time, so nothing commits in between.
    dbapi_connection.isolation_level = "IMMEDIATE"
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=20000",
        "synchronous=NORMAL",
        "foreign_keys=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class Database:
    """Owns the engine; hands out sessions that keep attributes loaded after commit.

    SQLite has one writer at a time and, when two collide, its busy handler sleeps in growing
    steps (up to 100 ms). Within one process, sessions therefore queue on an asyncio lock
    instead, so transactions run back to back; PostgreSQL sessions run concurrently.
    Sessions must not be nested within one task.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        self._writer = asyncio.Lock() if url.startswith("sqlite") else None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        if self._writer is None:
            async with self._sessions() as session:
                yield session
            return
        async with self._writer, self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
