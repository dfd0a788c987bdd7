"""Officials' `/report` requests: recorded by the flow, built and sent by the background worker
(scheduler/ondemand_reports.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ReportRequest, ReportRequestStatus


async def pending_for(session: AsyncSession, *, person_id: int, level: str,
                      unit_code: str | None, period: str) -> ReportRequest | None:
    """The person's request for this scope and period still waiting to be built, if any."""
    result = await session.exec(
        select(ReportRequest)
        .where(ReportRequest.person_id == person_id, ReportRequest.level == level,
               col(ReportRequest.unit_code).is_(None) if unit_code is None
               else ReportRequest.unit_code == unit_code,
               ReportRequest.period == period,
               ReportRequest.status == ReportRequestStatus.PENDING)
        .limit(1))
    return result.first()


async def add(session: AsyncSession, *, person_id: int, level: str, unit_code: str | None,
              period: str, now: datetime) -> ReportRequest:
    request = ReportRequest(person_id=person_id, level=level, unit_code=unit_code,
                            period=period, requested_at=now)
    session.add(request)
    await session.flush()
    return request


async def pending(session: AsyncSession, *, limit: int = 100) -> Sequence[ReportRequest]:
    """Requests waiting to be built, oldest first."""
    result = await session.exec(
        select(ReportRequest)
        .where(ReportRequest.status == ReportRequestStatus.PENDING)
        .order_by(col(ReportRequest.id))
        .limit(limit))
    return result.all()


async def finish(session: AsyncSession, *, request_id: int, status: ReportRequestStatus,
                 now: datetime) -> bool:
    """Mark a pending request done or failed; False if it was no longer pending."""
    result = await session.exec(
        update(ReportRequest)
        .where(col(ReportRequest.id) == request_id,
               col(ReportRequest.status) == ReportRequestStatus.PENDING)
        .values(status=status, finished_at=now))
    return result.rowcount == 1
