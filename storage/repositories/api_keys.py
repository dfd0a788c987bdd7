"""Partner applications' API keys for Open311 (`dvk apikey`): made, found, listed, revoked.

A key is 32 random bytes shown once; only its SHA-256 is stored, so a copy of the database
gives nobody a working key. Each key has a person of its own (role `partner`) who sends the
feedback filed with it: the partner, never a citizen, is the sender on record.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ApiKey, Person, Role

KEY_PREFIX = "dvk_"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(session: AsyncSession, *, name: str, now: datetime) -> tuple[ApiKey, str]:
    """A new key for the partner `name`, and the key itself (shown once, never stored)."""
    partner = Person(display_name=name[:200], role=Role.PARTNER, created_at=now)
    session.add(partner)
    await session.flush()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    stored = ApiKey(name=name[:100], key_hash=key_hash(key), person_id=partner.id or 0,
                    created_at=now)
    session.add(stored)
    await session.flush()
    return stored, key


async def find_active(session: AsyncSession, *, key: str) -> ApiKey | None:
    """The unrevoked key whose hash matches `key`; None for any other string."""
    if not key or len(key) > 200:
        return None
    return (await session.exec(select(ApiKey).where(
        col(ApiKey.key_hash) == key_hash(key), col(ApiKey.revoked_at).is_(None)))).first()


async def mark_used(session: AsyncSession, *, api_key: ApiKey, now: datetime) -> None:
    api_key.last_used_at = now
    session.add(api_key)
    await session.flush()


async def list_keys(session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.exec(select(ApiKey).order_by(col(ApiKey.id)))).all()


async def revoke(session: AsyncSession, *, key_id: int, now: datetime) -> ApiKey | None:
    """Stop a key at once; None if there is no such key. Revoking twice keeps the first time."""
    found = await session.get(ApiKey, key_id) if 0 < key_id < 2**31 else None
    if found is not None and found.revoked_at is None:
        found.revoked_at = now
        session.add(found)
        await session.flush()
    return found
