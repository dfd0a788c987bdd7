"""The one query a health check makes: can we reach the database at all?"""

from __future__ import annotations

from sqlalchemy import literal
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def ping(session: AsyncSession) -> None:
    """Raises if the database cannot answer a trivial query."""
    await session.exec(select(literal(1)))
