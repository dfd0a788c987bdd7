"""The console's map of feedback and its hotspots: what one jurisdiction received, as places and
counts only. Never the sender: these functions return ids, places, statuses and dates.

The map groups the points on the server into grid cells (one per status) sized for the zoom,
so a province with 50,000 feedback answers with a few hundred markers; a cell of one feedback
carries its id, so it opens the record. The inbox's filters apply (`console_inbox`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, case, cast, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Feedback
from storage.repositories.console_inbox import (
    InboxQuery,
    Overdue,
    _conditions,  # noqa: PLC2701 - the inbox's own filters, shared on purpose
    _text_matches,  # noqa: PLC2701
)
from storage.repositories.officials import Scope


@dataclass(frozen=True)
class MapCell:
    """Feedback of one status in one grid cell: where (their mean place), how many, the oldest
    one's date, and the id when there is only one."""

    latitude: float
    longitude: float
    status: str
    count: int
    oldest: datetime
    feedback_id: int | None


@dataclass(frozen=True)
class MapAnswer:
    cells: list[MapCell]
    unplaced: int
    """Matching feedback without a place."""
    bounds: tuple[float, float, float, float] | None
    """West, south, east, north of every placed one (the cells' means lie inside)."""


@dataclass(frozen=True)
class Hotspot:
    commune_code: str
    last_30: int
    last_90: int


def cell_degrees(zoom: int) -> float:
    """About 40 screen pixels at `zoom` (a 256-pixel tile spans 360/2^zoom degrees)."""
    return 360 / (1 << max(0, min(zoom, 20))) / 6.4


async def map_cells(session: AsyncSession, *, scope: Scope, query: InboxQuery,
                    limits: Overdue, zoom: int,
                    bbox: tuple[float, float, float, float] | None = None
                    ) -> MapAnswer:
    """The cells of the feedback matching `query` (status included)."""
    _, where = _conditions(query, scope, limits)
    if query.text.strip():
        where.append(col(Feedback.id).in_(
            await _text_matches(session, Feedback, where, query.text)))
    if query.status:
        where.append(col(Feedback.status) == query.status)
    unplaced = (await session.exec(select(func.count()).select_from(Feedback).where(
        *where, col(Feedback.latitude).is_(None)))).one()
    where.append(col(Feedback.latitude).is_not(None))
    where.append(col(Feedback.longitude).is_not(None))
    if bbox is not None:
        west, south, east, north = bbox
        where += [col(Feedback.longitude) >= west, col(Feedback.longitude) <= east,
                  col(Feedback.latitude) >= south, col(Feedback.latitude) <= north]
    size = cell_degrees(zoom)
    row_cell = cast(col(Feedback.latitude) / size, Integer)
    column_cell = cast(col(Feedback.longitude) / size, Integer)
    count = func.count()
    rows = (await session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() up to 4 columns
            func.avg(Feedback.latitude), func.avg(Feedback.longitude), Feedback.status,
               count, func.min(Feedback.created_at),
               case((count == 1, func.min(Feedback.id)), else_=None),
            func.min(Feedback.latitude), func.max(Feedback.latitude),
            func.min(Feedback.longitude), func.max(Feedback.longitude))
        .where(*where).group_by(row_cell, column_cell, Feedback.status))).all()
    cells = [MapCell(float(row[0]), float(row[1]), row[2], int(row[3]), row[4], row[5])
             for row in rows]
    bounds = (min(r[8] for r in rows), min(r[6] for r in rows), max(r[9] for r in rows),
              max(r[7] for r in rows)) if rows else None
    return MapAnswer(cells, int(unplaced), bounds)


async def hotspots(session: AsyncSession, *, scope: Scope, now: datetime,
                   limit: int = 30) -> list[Hotspot]:
    """Feedback per commune of the jurisdiction received in the last 30 and 90 days, the most
    in 30 days first."""
    since_30 = now - timedelta(days=30)
    since_90 = now - timedelta(days=90)
    last_30 = func.sum(case((col(Feedback.created_at) >= since_30, 1), else_=0))
    rows = (await session.exec(
        select(Feedback.commune_code, last_30, func.count())
        .where(scope.feedback_clause(), col(Feedback.created_at) >= since_90)
        .group_by(Feedback.commune_code)
        .order_by(last_30.desc(), func.count().desc(), Feedback.commune_code)
        .limit(limit))).all()
    return [Hotspot(code, int(n30 or 0), int(n90)) for code, n30, n90 in rows]

