"""Apply Alembic migrations, so a fresh machine gets its database on first start.

`python -m storage.migrate` does it for the URL read from stdin (a worker starts it that way:
storage/upgrade_process.py)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from storage.upgrade_process import UNAVAILABLE_EXIT, DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["DatabaseUnavailable", "alembic_config", "upgrade", "upgrade_async"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    # Alembic (with Mako) is imported when a migration runs, not with this module: every
    # process that can migrate imports this module, and a worker, which migrates through a
    # child (storage/upgrade_process.py), would otherwise carry it for nothing.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema (blocking; runs its own event loop)."""
    try:
        if database_url.startswith("sqlite"):
            path = database_url.split("///", 1)[-1].split("?", 1)[0]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                _open_for_writing(path)
        from alembic import command  # see alembic_config

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


def main() -> int:
    """`python -m storage.migrate`: the URL on stdin; the reason on stdout if it fails."""
    try:
        upgrade(sys.stdin.read().strip())
    except DatabaseUnavailable as problem:
        print(problem)
        return UNAVAILABLE_EXIT
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
