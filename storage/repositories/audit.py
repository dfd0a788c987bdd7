"""The audit log: append and read, nothing else. There is deliberately no update or delete
here; the database refuses both too (migration 0015_audit_log)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry

CLI_CHANNEL = "cli"


async def append(session: AsyncSession, *, at: datetime, actor_id: int | None, actor_role: str,
                 action: str, record_kind: str, record_id: int | None = None,
                 record_code: str | None = None, unit_code: str | None = None,
                 province_code: str | None = None, channel: str,
                 detail: str | None = None) -> AuditEntry:
    entry = AuditEntry(at=at, actor_id=actor_id, actor_role=actor_role, action=action[:40],
                       record_kind=record_kind, record_id=record_id, record_code=record_code,
                       unit_code=unit_code, province_code=province_code, channel=channel,
                       detail=detail[:200] if detail else None)
    session.add(entry)
    await session.flush()
    return entry


async def list_entries(session: AsyncSession, *, since: datetime | None = None,
                       actor_id: int | None = None, unit_code: str | None = None,
                       province_code: str | None = None, newest_first: bool = False,
                       limit: int | None = None) -> Sequence[AuditEntry]:
    """Entries, oldest first unless `newest_first`. `unit_code` matches a record of that unit
    or of that province (a province's code names all its communes); `province_code` only
    records of that province."""
    query = select(AuditEntry)
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if unit_code is not None:
        query = query.where(or_(col(AuditEntry.unit_code) == unit_code,
                                col(AuditEntry.province_code) == unit_code))
    if province_code is not None:
        query = query.where(AuditEntry.province_code == province_code)
    order = col(AuditEntry.id).desc() if newest_first else col(AuditEntry.id)
    query = query.order_by(order)
    if limit is not None:
        query = query.limit(limit)
    return (await session.exec(query)).all()
