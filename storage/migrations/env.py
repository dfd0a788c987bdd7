"""Alembic environment: async engine, metadata from every SQLModel table."""

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import create_engine

MIGRATION_LOCK_KEY = 0x64766B02  # "dvk" 2 (storage/leader.py holds "dvk" 1)

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    return (config.get_main_option("sqlalchemy.url")
            or os.environ.get("DATABASE_URL")
            or "sqlite+aiosqlite:///./data/danvankheo.db")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several workers may start at once on a new database: one migrates, the others
            # wait here, then find it done (held until this transaction ends).
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url(), in_loop=False)  # once per start: the standard driver
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
