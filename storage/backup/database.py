"""A consistent copy of the database, and putting one back into an empty database.

SQLite: the online backup API copies the file page by page from one read transaction, so the
bot may keep writing meanwhile (WAL readers do not block the writer). PostgreSQL: `pg_dump
--format=custom` reading a snapshot exported from our own REPEATABLE READ transaction, in which
the rows are counted too, so the manifest's counts describe exactly what the dump holds.
`pg_dump` must be as new as the server (Debian: `postgresql-client-NN`).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

SQLITE_FILE = "database.sqlite"
POSTGRES_FILE = "database.pgdump"


class BackupError(Exception):
    """Backup or restore cannot go on; the message is one line for the operator."""


@dataclass(frozen=True)
class Snapshot:
    engine: str
    file: str
    tables: dict[str, int]
    alembic_revision: str | None


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# -- SQLite ----------------------------------------------------------------------------------


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"not a SQLite file: {url}")
    return Path(database)


def _sqlite_tables(connection: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names}


def _sqlite_revision(connection: sqlite3.Connection, tables: dict[str, int]) -> str | None:
    if "alembic_version" not in tables:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def sqlite_backup(url: str, folder: Path) -> Snapshot:
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}")
    target = folder / SQLITE_FILE
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # A file on its own: no -wal beside it when it is opened later.
        copy.execute("PRAGMA journal_mode=DELETE")
        tables = _sqlite_tables(copy)
        revision = _sqlite_revision(copy, tables)
    finally:
        copy.close()
        source.close()
    return Snapshot("sqlite", SQLITE_FILE, tables, revision)


def sqlite_check_empty(url: str) -> None:
    path = sqlite_path(url)
    if not path.exists():
        return
    connection = sqlite3.connect(path)
    try:
        tables = _sqlite_tables(connection)
    finally:
        connection.close()
    if tables:
        raise BackupError(f"the database {path} is not empty ({len(tables)} tables); "
                          "restore needs an empty database")


def sqlite_restore(url: str, dump: Path) -> dict[str, int]:
    path = sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # as the bot runs it
        return _sqlite_tables(target)
    finally:
        target.close()
        source.close()


def sqlite_counts(url: str) -> dict[str, int]:
    connection = sqlite3.connect(sqlite_path(url))
    try:
        return _sqlite_tables(connection)
    finally:
        connection.close()


# -- PostgreSQL ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Libpq:
    """How pg_dump, pg_restore (libpq) and asyncpg reach the server; the password travels in
    the environment, never on a command line others can read."""

    dsn: str
    env: dict[str, str]

    @classmethod
    def from_url(cls, url: str) -> _Libpq:
        parsed = make_url(url)
        env = dict(os.environ)
        query = dict(parsed.query)
        ssl = query.pop("ssl", None) or query.pop("sslmode", None)
        if ssl:
            env["PGSSLMODE"] = str(ssl)
        if parsed.password:
            env["PGPASSWORD"] = parsed.password
        bare = parsed.set(drivername="postgresql", password=None, query=query)
        return cls(bare.render_as_string(hide_password=False), env)


async def _connect(libpq: _Libpq) -> Any:  # asyncpg has no type hints
    import asyncpg

    return await asyncpg.connect(libpq.dsn, password=libpq.env.get("PGPASSWORD"),
                                 ssl=libpq.env.get("PGSSLMODE"))


async def _pg_tables(connection: Any) -> dict[str, int]:
    names = [row[0] for row in await connection.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")]
    counts = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = await connection.fetchval(f"SELECT count(*) FROM {quoted}")
    return counts


async def _run(program: str, *args: str, env: dict[str, str]) -> None:
    try:
        process = await asyncio.create_subprocess_exec(
            program, *args, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError:
        raise BackupError(f"{program} is not installed (Debian: apt-get install "
                          "postgresql-client)") from None
    _, stderr = await process.communicate()
    if process.returncode != 0:
        lines = stderr.decode(errors="replace").strip().splitlines() or ["no message"]
        raise BackupError(f"{program} failed: {lines[-1]}")


async def postgres_backup(url: str, folder: Path) -> Snapshot:
    libpq = _Libpq.from_url(url)
    connection = await _connect(libpq)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            tables = await _pg_tables(connection)
            revision = None
            if "alembic_version" in tables:
                revision = await connection.fetchval("SELECT version_num FROM alembic_version")
            # The snapshot lives as long as this transaction: pg_dump reads the same rows.
            await _run("pg_dump", "--format=custom", f"--snapshot={snapshot}",
                       f"--file={folder / POSTGRES_FILE}", f"--dbname={libpq.dsn}",
                       env=libpq.env)
    finally:
        await connection.close()
    return Snapshot("postgresql", POSTGRES_FILE, tables, revision)


async def postgres_check_empty(url: str) -> None:
    libpq = _Libpq.from_url(url)
    connection = await _connect(libpq)
    try:
        tables = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN "
            "('pg_catalog', 'information_schema')")
    finally:
        await connection.close()
    if tables:
        raise BackupError(f"the database {make_url(url).database} is not empty ({tables} "
                          "tables); restore needs an empty database")


async def postgres_restore(url: str, dump: Path) -> dict[str, int]:
    libpq = _Libpq.from_url(url)
    await _run("pg_restore", "--exit-on-error", "--single-transaction", "--no-owner",
               "--no-privileges", f"--dbname={libpq.dsn}", str(dump), env=libpq.env)
    return await postgres_counts(url)


async def postgres_counts(url: str) -> dict[str, int]:
    connection = await _connect(_Libpq.from_url(url))
    try:
        return await _pg_tables(connection)
    finally:
        await connection.close()


# -- either ----------------------------------------------------------------------------------


async def take(url: str, folder: Path) -> Snapshot:
    if is_sqlite(url):
        return await asyncio.to_thread(sqlite_backup, url, folder)
    return await postgres_backup(url, folder)


async def check_empty(url: str) -> None:
    if is_sqlite(url):
        await asyncio.to_thread(sqlite_check_empty, url)
    else:
        await postgres_check_empty(url)


async def put_back(url: str, engine: str, dump: Path) -> dict[str, int]:
    if engine != ("sqlite" if is_sqlite(url) else "postgresql"):
        raise BackupError(f"this backup is of a {engine} database; DATABASE_URL names another "
                          "kind")
    if is_sqlite(url):
        return await asyncio.to_thread(sqlite_restore, url, dump)
    return await postgres_restore(url, dump)


async def count_rows(url: str) -> dict[str, int]:
    if is_sqlite(url):
        return await asyncio.to_thread(sqlite_counts, url)
    return await postgres_counts(url)
