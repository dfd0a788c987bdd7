"""Async engine and session factory; SQLite gets the pragmas it needs for concurrent use."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sqlite_inloop import InLoopSQLite


def create_engine(url: str, *, in_loop: bool = True) -> AsyncEngine:
    """An engine for `url`. SQLite statements run on the event loop's thread unless `in_loop`
    is False (storage/sqlite_inloop.py says why, and when not to)."""
    if url.startswith("sqlite"):
        # Sessions always end in an explicit commit or rollback, so the pool's extra rollback
        # on return is only a wasted round trip.
        options: dict[str, Any] = {"module": InLoopSQLite()} if in_loop else {}
        engine = create_async_engine(url, connect_args={"timeout": 30},
                                     pool_reset_on_return=None, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


_CONFLICTS = {"40001", "40P01"}  # PostgreSQL: serialization_failure, deadlock_detected


def is_conflict(error: BaseException) -> bool:
    """The transaction lost a race with another one and may simply be run again."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) in _CONFLICTS


_UNAVAILABLE_STATES = {"53100", "53200", "53300", "25006", "57P03", "58030"}
"""PostgreSQL: disk_full, out_of_memory, too_many_connections, read_only_sql_transaction,
cannot_connect_now, io_error."""
_UNAVAILABLE_SQLITE = ("readonly", "read-only", "disk is full", "disk i/o error",
                       "unable to open database")
_UNAVAILABLE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM,
                       errno.EIO}


def is_unavailable(error: BaseException) -> bool:
    """The storage itself refused (a full or read-only disk, a database that cannot be reached
    or written): nothing the person did, and worth trying again later."""
    orig = getattr(error, "orig", None)
    if getattr(orig, "sqlstate", None) in _UNAVAILABLE_STATES:
        return True
    if isinstance(error, OSError) or isinstance(orig, OSError):
        found = error if isinstance(error, OSError) else orig
        return getattr(found, "errno", None) in _UNAVAILABLE_ERRNOS or isinstance(
            found, ConnectionError)
    text = str(orig if orig is not None else error).lower()
    return type(orig).__name__ == "OperationalError" and any(
        marker in text for marker in _UNAVAILABLE_SQLITE)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver opens BEGIN IMMEDIATE itself just before a transaction's first write: writers
    # queue on the lock instead of failing on a read-to-write upgrade, at no extra round trip.
    # Reads before that point see the latest commit; `Database` lets one session run at a
    # time, so nothing commits in between.
    dbapi_connection.isolation_level = "IMMEDIATE"
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
    ):  # the busy timeout comes from the connection's `timeout`
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class Database:
    """Owns the engines; hands out sessions that keep attributes loaded after commit.

    SQLite has one writer at a time. Within one process, sessions queue on an asyncio lock
    instead of on SQLite's lock, so transactions run back to back; PostgreSQL sessions run
    concurrently. Sessions must not be nested within one task.

    `reading()` is for long read-only queries (the map, exports): on SQLite they run on a
    driver thread, so they neither block the event loop nor wait for the writer lock.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        sqlite = url.startswith("sqlite")
        self._writer = asyncio.Lock() if sqlite else None
        # On SQLite transactions already run one at a time; PostgreSQL runs them side by side,
        # so a check-then-act (two officials deciding the same practice) needs SERIALIZABLE.
        self._serializable = self._sessions if sqlite else async_sessionmaker(
            self.engine.execution_options(isolation_level="SERIALIZABLE"),
            class_=AsyncSession, expire_on_commit=False)
        self._read_engine = create_engine(url, in_loop=False) if sqlite else self.engine
        self._reads = async_sessionmaker(
            self._read_engine, class_=AsyncSession, expire_on_commit=False
        )

    @asynccontextmanager
    async def session(self, *, serializable: bool = False) -> AsyncIterator[AsyncSession]:
        """A session; with `serializable`, one whose transaction behaves as if it ran alone:
        it may then fail with a conflict (`is_conflict`) and must be run again from the start.
        """
        sessions = self._serializable if serializable else self._sessions
        if self._writer is None:
            async with sessions() as session:
                yield session
            return
        async with self._writer, sessions() as session:
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for reads that may take a while; it must not write."""
        async with self._reads() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._read_engine is not self.engine:
            await self._read_engine.dispose()
