"""Apply Alembic migrations, so a fresh machine gets its database on first start."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import SQLAlchemyError

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


class DatabaseUnavailable(Exception):
    """The database cannot be opened or written at start (a path that is no directory, a
    read-only disk, a server that refuses): a setting to fix, said in one line."""


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema (blocking; runs its own event loop)."""
    try:
        if database_url.startswith("sqlite"):
            path = database_url.split("///", 1)[-1].split("?", 1)[0]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                _open_for_writing(path)
        command.upgrade(alembic_config(database_url), "head")
    except (OSError, SQLAlchemyError, sqlite3.Error) as error:
        raise DatabaseUnavailable(_reason(error)) from error


def _open_for_writing(path: str) -> None:
    """Open the SQLite file and take its write lock for a moment, before the async driver
    (whose worker thread fails untidily when the file cannot be opened) and Alembic touch it."""
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def _reason(error: BaseException) -> str:
    """The driver's own words, on one line (never the URL, which may hold a password)."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, OSError) and cause.strerror:
        where = f": {cause.filename}" if cause.filename else ""
        return f"{cause.strerror}{where}"
    text = " ".join(str(cause).split()) or type(cause).__name__
    return text[:300]


async def upgrade_async(database_url: str) -> None:
    """The same from inside a running loop: Alembic's env runs its own loop, so use a thread."""
    await asyncio.to_thread(upgrade, database_url)
