"""SQLite driven from the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

Why: aiosqlite runs every statement on a worker thread and hands the result back through the
event loop. A bot turn is four to eight short, indexed statements, so each turn waited for
the busy loop to come round eight to sixteen times while holding the one SQLite writer slot:
the database, not the CPU, set the bot's pace (bench/bench_throughput.py). Here the same
statements run where they are awaited, in microseconds, and a turn's transaction finishes
without giving the loop away.

What that costs, and how it is kept small: a statement blocks the loop while SQLite works, so
this driver is for short transactions only; long reads (the map, exports) go through
`Database.reading()`, which keeps aiosqlite's thread. A writer never blocks the loop waiting
for another connection's lock: the busy timeout is zero and a busy database is retried with
`asyncio.sleep` until the connection's `timeout` has passed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)

if TYPE_CHECKING:
    from sqlalchemy.connectors.asyncio import AsyncIODBAPIConnection

T = TypeVar("T")

_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_FIRST_WAIT, _MAX_WAIT = 0.001, 0.05


async def _patiently(call: Callable[[], T], timeout: float) -> T:
    """Run `call`; while the database is locked by another connection, wait (without blocking
    the loop) and try again, for up to `timeout` seconds."""
    deadline = None
    wait = _FIRST_WAIT
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorcode", None) not in _BUSY:
                raise
            now = time.monotonic()
            deadline = deadline or now + timeout
            if now >= deadline:
                raise
            await asyncio.sleep(wait)
            wait = min(wait * 2, _MAX_WAIT)


class _Cursor:
    """aiosqlite's cursor interface over a sqlite3 cursor, running in the caller's thread."""

    __slots__ = ("_cursor", "_timeout")

    def __init__(self, cursor: sqlite3.Cursor, timeout: float) -> None:
        self._cursor = cursor
        self._timeout = timeout

    async def __aenter__(self) -> _Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> _Cursor:
        await _patiently(lambda: self._cursor.execute(sql, parameters), self._timeout)
        return self

    async def executemany(self, sql: str, parameters: Any) -> _Cursor:
        await _patiently(lambda: self._cursor.executemany(sql, parameters), self._timeout)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Connection:
    """aiosqlite's connection interface (what SQLAlchemy's adapter uses) over sqlite3."""

    def __init__(self, connection: sqlite3.Connection, timeout: float) -> None:
        self._connection: sqlite3.Connection | None = connection
        self._timeout = timeout

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor(), self._timeout)

    async def commit(self) -> None:
        await _patiently(self._conn.commit, self._timeout)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _AdaptedConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    @property
    def isolation_level(self) -> str | None:
        level: str | None = self._connection.isolation_level
        return level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        # aiosqlite's setter queues the change onto its thread; here there is no thread
        self._connection._conn.isolation_level = value


class InLoopSQLite(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module to pass as `module=` to `create_async_engine("sqlite+aiosqlite:...")`."""

    def __init__(self) -> None:
        import aiosqlite

        super().__init__(aiosqlite, sqlite3)

    def connect(self, database: str, **kwargs: Any) -> _AdaptedConnection:
        timeout = float(kwargs.pop("timeout", 5.0))
        kwargs["check_same_thread"] = False  # the pool may close it from another thread
        connection = sqlite3.connect(database, timeout=0, **kwargs)
        # _Connection is aiosqlite's connection in all SQLAlchemy's adapter uses, not in name
        adapted = cast("AsyncIODBAPIConnection", _Connection(connection, timeout))
        return _AdaptedConnection(self, adapted)
