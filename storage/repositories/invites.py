"""Invitations that make a person an official. Only a token's SHA-256 is stored: the token itself
is shown once, to whoever ran the command that made it."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import MAX_ID, Invite

TOKEN_PREFIX = "inv_"
# Deep-link payloads allow 64 characters from A-Z a-z 0-9 _ - (Telegram).
TOKEN_SHAPE = re.compile(r"^inv_[A-Za-z0-9_-]{20,60}$")


class InviteProblem(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_invite(
    session: AsyncSession, *, role: str, level: str, unit_code: str | None,
    expires_at: datetime, now: datetime, note: str | None = None,
) -> tuple[Invite, str]:
    """A new invite and its token (returned once, never stored)."""
    token = new_token()
    invite = Invite(token_hash=hash_token(token), role=role, level=level, unit_code=unit_code,
                    note=note, created_at=now, expires_at=expires_at)
    session.add(invite)
    await session.flush()
    return invite, token


async def check_token(
    session: AsyncSession, *, token: str, now: datetime
) -> tuple[Invite | None, InviteProblem | None]:
    """The invite a token opens, or why it opens nothing."""
    if not TOKEN_SHAPE.match(token):
        return None, InviteProblem.MALFORMED
    invite = (await session.exec(
        select(Invite).where(Invite.token_hash == hash_token(token)))).first()
    if invite is None:
        return None, InviteProblem.UNKNOWN
    if invite.revoked_at is not None:
        return invite, InviteProblem.REVOKED
    if invite.used_at is not None:
        return invite, InviteProblem.USED
    if _aware(invite.expires_at) <= now:
        return invite, InviteProblem.EXPIRED
    return invite, None


def mark_used(invite: Invite, *, person_id: int, now: datetime) -> None:
    invite.used_at = now
    invite.used_by = person_id


async def list_invites(session: AsyncSession) -> Sequence[Invite]:
    return (await session.exec(select(Invite).order_by(col(Invite.id)))).all()


async def revoke(session: AsyncSession, *, invite_id: int, now: datetime) -> Invite | None:
    """Revoke an unused invite; None if there is no such invite."""
    invite = await session.get(Invite, invite_id) if invite_id <= MAX_ID else None
    if invite is None:
        return None
    if invite.revoked_at is None:
        invite.revoked_at = now
        session.add(invite)
        await session.flush()
    return invite


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
