"""Who leads: one worker at a time runs the scheduler, the outbox sender and the pollers.

PostgreSQL: a session advisory lock, held on a connection of its own. We chose it over a lease
row with an expiry because the server itself ends the term: when the leader's process dies
(even `kill -9`) its socket closes and PostgreSQL releases the lock at once; when its machine
or network dies, the server's TCP keepalives and `tcp_user_timeout` (set per connection below,
from `LEADER_LEASE_SECONDS`) end the session within a lease. No clock needs to agree with
another, and no row needs renewing. The lease row (`LeaderLease`) only counts terms: each new
leader takes `epoch + 1` in the same breath, and stamps that epoch on what it claims, so a
leader that lost the lock without noticing yet is fenced off (storage/repositories/delivery.py).

SQLite serves one process: a lock file beside the database keeps a second one from starting,
and the one process always leads.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

LEASE_NAME = "leader"
LOCK_KEY = 0x64766B01  # "dvk" 1: the advisory lock's key; no other lock in the product uses it
OUTBOX_CHANNEL = "dvk_outbox"
"""LISTEN/NOTIFY channel: a worker that queued notices wakes the leader's outbox sender."""

_BUMP = """
INSERT INTO leaderlease (name, epoch, worker, acquired_at) VALUES ($1, 1, $2, $3)
ON CONFLICT (name) DO UPDATE SET epoch = leaderlease.epoch + 1, worker = EXCLUDED.worker,
    acquired_at = EXCLUDED.acquired_at
RETURNING epoch
"""


class AlreadyRunning(RuntimeError):
    """Another process already serves this SQLite database."""


def _now() -> datetime:
    return datetime.now(UTC)


class PostgresLeaderLock:
    """The advisory lock on a dedicated asyncpg connection (not from the pool: the lock lives
    as long as this one session, and a pool would hand it to another task)."""

    def __init__(self, database_url: str, *, worker: str, lease_seconds: float) -> None:
        self.url = make_url(database_url)
        self.worker = worker
        self.lease_seconds = lease_seconds
        self._connection: Any = None
        self._listeners: list[Any] = []

    async def _connect(self) -> Any:
        import asyncpg

        if self._connection is not None and not self._connection.is_closed():
            return self._connection
        third = max(int(self.lease_seconds / 3), 1)
        self._connection = await asyncpg.connect(
            host=self.url.host, port=self.url.port, user=self.url.username,
            password=self.url.password, database=self.url.database,
            timeout=self.lease_seconds,
            # The server notices a vanished leader (machine off, cable cut) within a lease:
            # keepalive probes after a third of it, then a probe per ninth, three tries.
            server_settings={"application_name": f"dvk-leader {self.worker}"[:63],
                             "tcp_keepalives_idle": str(third),
                             "tcp_keepalives_interval": str(max(third // 3, 1)),
                             "tcp_keepalives_count": "3",
                             "tcp_user_timeout": str(int(self.lease_seconds * 1000 * 2 / 3))})
        for channel, callback in self._listeners:
            await self._connection.add_listener(channel, callback)
        return self._connection

    async def listen(self, channel: str, callback: Any) -> None:
        """Call `callback()` on every NOTIFY on `channel` (kept across reconnections)."""
        def on_notify(*_args: Any) -> None:
            callback()

        self._listeners.append((channel, on_notify))
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.add_listener(channel, on_notify)

    async def try_acquire(self) -> int | None:
        """The lock if free: returns the new term's epoch; None while another worker leads."""
        connection = await self._connect()
        if not await connection.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
            return None
        try:
            return int(await connection.fetchval(_BUMP, LEASE_NAME, self.worker, _now()))
        except BaseException:
            await self.release()
            raise

    async def holds(self) -> bool:
        """Is the lock still ours? (The session is alive and the server still lists it.)"""
        if self._connection is None or self._connection.is_closed():
            return False
        return bool(await self._connection.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND objid = $1", LOCK_KEY & 0xFFFFFFFF))

    async def release(self) -> None:
        """Give up the term: closing the session releases the lock (whatever its state)."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                await connection.close(timeout=2)
            except Exception:
                connection.terminate()

    def abort(self) -> None:
        """Drop the session at once, without a word to the server (the term ends when it
        notices; used when the session is already suspect)."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()


class SoleProcessLock:
    """SQLite: one process per database file, which always leads. The lock file is held with
    `flock` for the life of the process, so the kernel drops it when the process dies."""

    def __init__(self, database_url: str, *, worker: str) -> None:
        self.database_url = database_url
        self.worker = worker
        self.path = sqlite_lock_path(database_url)
        self._fd: int | None = None
        self._epoch = 0

    def lock_file(self) -> None:
        """Take the file lock, or raise `AlreadyRunning` naming the database."""
        if self.path is None or self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return  # no place for it: nor for the database, which says so in one line next
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(str(self.path.with_suffix(""))) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{self.worker}\n".encode())
        self._fd = fd

    async def listen(self, channel: str, callback: Any) -> None:
        """One process: notices wake the sender in-process; nothing to listen to."""

    async def try_acquire(self) -> int | None:
        self.lock_file()
        self._epoch = await _bump_sqlite(self.database_url, self.worker)
        return self._epoch

    async def holds(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the only descriptor releases the flock

    def abort(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def sqlite_lock_path(database_url: str) -> Path | None:
    """`<database file>.lock`, or None for an in-memory database."""
    path = make_url(database_url).database
    if not path or path == ":memory:":
        return None
    return Path(path).resolve().with_name(Path(path).name + ".lock")


async def _bump_sqlite(database_url: str, worker: str) -> int:
    from sqlalchemy import select
    from sqlalchemy.dialects.sqlite import insert

    from storage.db import create_engine
    from storage.models import LeaderLease, table_of

    table = table_of(LeaderLease)
    engine = create_engine(database_url, in_loop=False)
    try:
        async with engine.begin() as connection:
            bump = insert(table).values(name=LEASE_NAME, epoch=1, worker=worker,
                                        acquired_at=_now())
            await connection.execute(bump.on_conflict_do_update(
                index_elements=[table.c.name],
                set_={"epoch": table.c.epoch + 1, "worker": bump.excluded.worker,
                      "acquired_at": bump.excluded.acquired_at}))
            epoch = (await connection.execute(
                select(table.c.epoch).where(table.c.name == LEASE_NAME))).scalar_one()
    finally:
        await engine.dispose()
    return int(epoch)
