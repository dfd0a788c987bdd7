"""The queries a health check makes: can we reach the database, and can we write to it?"""

from __future__ import annotations

from sqlalchemy import false, literal, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


async def ping(session: AsyncSession) -> None:
    """Raises if the database cannot answer a trivial query."""
    await session.exec(select(literal(1)))


async def probe_write(session: AsyncSession) -> None:
    """Raises if the database would refuse a write (read-only, a full disk at the start of a
    transaction): an UPDATE that matches nothing still takes the write lock, and is rolled
    back, so nothing changes."""
    await session.exec(update(ProcessedUpdate).where(false())
                       .values(channel=ProcessedUpdate.channel))
    await session.rollback()
