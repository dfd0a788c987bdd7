"""Every query behind the public map and its JSON API. Read-only.

Only practices whose status is in `PUBLIC_PRACTICE_STATUSES` leave this module, and only as the
public shapes defined here: never who submitted them (person, account, name of an individual),
never the raw `answers` blob, never feedback. The web layer cannot ask for more, because these
functions return these shapes and never table rows.

A practice submitted without a map pin (the location question is optional) is placed at its
province's approximate centre and marked `approximate`, so it is still found on the map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, and_, case, cast, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vietnam_number import n2w

from storage.models import (
    MAX_ID,
    PRIORITY_TASKS,
    PUBLIC_PRACTICE_STATUSES,
    AssessmentKind,
    Consultation,
    Feedback,
    FeedbackStatus,
    Level,
    Practice,
    PracticeAssessment,
    PracticePhoto,
    PracticeReplication,
    PracticeStatus,
    PracticeUpdate,
    PracticeUpdatePhoto,
    PracticeUpdateStatus,
    PracticeVideo,
    PracticeVote,
    PublicMapVersion,
    Recognition,
)
from storage.province_centres import PROVINCE_CENTRES
from storage.public_shapes import (
    AssessmentPublic,
    BBox,
    ClusterCell,
    ConsensusPublic,
    ConsultationPublic,
    CriterionScorePublic,
    MapFilters,
    PhotoPublic,
    PracticePoint,
    PracticePublic,
    PublicPhotoFile,
    PublicVideoFile,
    RecognitionPublic,
    ReplicationPublic,
    UpdatePhotoPublic,
    UpdatePublic,
    VideoPublic,
)
from storage.units import fold

PUBLIC_STATUSES = tuple(str(status) for status in PUBLIC_PRACTICE_STATUSES)
LEVELS_LOW_TO_HIGH = (Level.COMMUNE, Level.PROVINCE, Level.CENTRAL)


# -- SQL building blocks ---------------------------------------------------------------------


_RANK = case({level.value: rank for rank, level in enumerate(LEVELS_LOW_TO_HIGH, 1)},
             value=Recognition.level, else_=0)


def _best_level() -> ColumnElement[int]:
    """The rank of a practice's highest recognition (1 commune … 3 central), 0 if none.

    A correlated subquery: evaluated only for the rows a query returns, through the index on
    `recognition.practice_id`.
    """
    return (
        select(func.coalesce(func.max(_RANK), 0))
        .where(col(Recognition.practice_id) == col(Practice.id))
        .scalar_subquery()
    )


class _cell_index(FunctionElement[int]):
    """The whole part of a number that is never negative, for grid cells. CAST truncates on
    SQLite but rounds to the nearest on PostgreSQL, which would move every cell edge by half a
    cell there; FLOOR is not in every SQLite build."""

    type = Integer()
    inherit_cache = True


@compiles(_cell_index)
def _cell_index_cast(element: _cell_index, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@compiles(_cell_index, "postgresql")
def _cell_index_floor(element: _cell_index, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


_PUBLIC = col(Practice.status).in_(PUBLIC_STATUSES)
_PINNED = and_(col(Practice.latitude).is_not(None), col(Practice.longitude).is_not(None))


def _unpinned_provinces(box: BBox | None) -> list[str]:
    """Provinces whose unpinned practices fall in the box: those whose centre does."""
    return [code for code, centre in PROVINCE_CENTRES.items()
            if box is None or (box.south <= centre.latitude <= box.north
                               and box.west <= centre.longitude <= box.east)]


def _pinned_in(box: BBox | None) -> ColumnElement[bool]:
    """Public and pinned in the box, as one range on `ix_practice_map` (status, latitude, …)."""
    if box is None:
        return and_(_PUBLIC, _PINNED)
    return and_(_PUBLIC, col(Practice.latitude).between(box.south, box.north),
                col(Practice.longitude).between(box.west, box.east))


def _unpinned_in(box: BBox | None) -> ColumnElement[bool] | None:
    """Public, without a pin, and placed in the box by its province's centre."""
    provinces = _unpinned_provinces(box)
    if not provinces:
        return None
    return and_(_PUBLIC, col(Practice.latitude).is_(None),
                col(Practice.province_code).in_(provinces))


def _placed_in(box: BBox | None) -> ColumnElement[bool]:
    """Public and in the box: by the pin, or, for a practice without one, by its province's
    centre. The status sits inside each branch so that each is one index range (SQLite's
    multi-index OR, PostgreSQL's bitmap OR); with it outside, both scan every public row."""
    unpinned = _unpinned_in(box)
    return _pinned_in(box) if unpinned is None else or_(_pinned_in(box), unpinned)


def _narrowing(filters: MapFilters) -> list[ColumnElement[bool]]:
    """The filters other than the place."""
    conditions: list[ColumnElement[bool]] = []
    if filters.field:
        conditions.append(col(Practice.field) == filters.field)
    if filters.province_code:
        conditions.append(col(Practice.province_code) == filters.province_code)
    if filters.commune_code:
        conditions.append(col(Practice.commune_code) == filters.commune_code)
    if filters.submitted_from is not None:
        conditions.append(col(Practice.created_at) >= filters.submitted_from)
    if filters.submitted_before is not None:
        conditions.append(col(Practice.created_at) < filters.submitted_before)
    if filters.priority in PRIORITY_TASKS:
        conditions.append(col(Practice.priority_task).in_([filters.priority, "both"]))
    elif filters.priority:
        conditions.append(col(Practice.difficult_area) == filters.priority)
    if filters.level:
        recognised_at_level = (
            select(Recognition.id)
            .where(col(Recognition.practice_id) == col(Practice.id),
                   col(Recognition.level) == filters.level)
            .exists()
        )
        conditions.append(recognised_at_level)
    return conditions


def _conditions(filters: MapFilters) -> list[ColumnElement[bool]]:
    return [_placed_in(filters.bbox), *_narrowing(filters)]


_POINT_COLUMNS = (col(Practice.id), col(Practice.code), col(Practice.title), col(Practice.field),
                  col(Practice.latitude), col(Practice.longitude), col(Practice.province_code))


def _point(row: Sequence) -> PracticePoint:  # type: ignore[type-arg]
    practice_id, code, title, field, lat, lon, province_code, rank = row[:8]
    approximate = lat is None or lon is None
    if approximate:
        lat, lon = _spread_around_centre(practice_id, province_code)
    level = LEVELS_LOW_TO_HIGH[rank - 1].value if rank else None
    return PracticePoint(code=code, title=title, field=field, level=level, latitude=lat,
                         longitude=lon, approximate=approximate)


def _spread_around_centre(practice_id: int, province_code: str) -> tuple[float, float]:
    """A stable spot near the province centre, so unpinned practices do not sit on one pixel."""
    centre = PROVINCE_CENTRES[province_code]
    angle = practice_id * 2.399963  # the golden angle spreads successive ids evenly
    radius = centre.spread * 0.5 * math.sqrt((practice_id % 101) / 101)
    return centre.latitude + radius * math.sin(angle), centre.longitude + radius * math.cos(angle)


# -- the map ---------------------------------------------------------------------------------


async def map_version(session: AsyncSession) -> int:
    """The database's count of changes to what the map shows (models.PublicMapVersion): an
    answer computed after reading version V is current for as long as the version is V."""
    version = (await session.exec(
        select(PublicMapVersion.version).where(col(PublicMapVersion.id) == 1))).first()
    return version or 0


async def count_points(session: AsyncSession, *, filters: MapFilters, up_to: int) -> int:
    """How many practices match, counting no further than `up_to`: enough to choose between
    points and clusters, read from the index alone."""
    matching = select(col(Practice.id)).where(*_conditions(filters)).limit(up_to).subquery()
    return (await session.exec(select(func.count()).select_from(matching))).one()


async def list_points(
    session: AsyncSession, *, filters: MapFilters, limit: int
) -> list[PracticePoint]:
    """Matching practices, newest first, as points with what a marker needs (when there are
    more than the map shows, `count_points` says so; then use `grid_clusters`)."""
    statement = (
        select(*_POINT_COLUMNS, _best_level())  # type: ignore[call-overload]
        .where(*_conditions(filters))
        .order_by(col(Practice.id).desc())
        .limit(limit)
    )
    return [_point(row) for row in (await session.exec(statement)).all()]


async def grid_clusters(
    session: AsyncSession, *, filters: MapFilters, cell_degrees: float
) -> list[ClusterCell]:
    """Matching practices counted per square grid cell, each placed at its members' mean.

    Done in the database so a whole-country view costs one aggregate, not 100,000 rows. Pinned
    practices are summed per cell from one index range on plain columns; those without a pin
    are counted per province and added to the cell of its centre here, which spares the
    aggregate a per-row CASE and an OR that made it scan every public row.
    """
    lat, lon = col(Practice.latitude), col(Practice.longitude)
    gx = _cell_index((lon + 180.0) / cell_degrees)
    gy = _cell_index((lat + 90.0) / cell_degrees)
    narrowing = _narrowing(filters)
    pinned = (
        select(gx, gy, func.count(),  # type: ignore[call-overload]
               func.sum(cast(lat, Float)), func.sum(cast(lon, Float)))
        .where(_pinned_in(filters.bbox), *narrowing)
        .group_by(gx, gy)
    )
    cells: dict[tuple[int, int], list[float]] = {
        (x, y): [count, lat_sum, lon_sum]
        for x, y, count, lat_sum, lon_sum in (await session.exec(pinned)).all()
    }
    unpinned_in = _unpinned_in(filters.bbox)
    if unpinned_in is not None:
        unpinned = (
            select(col(Practice.province_code), func.count())
            .where(unpinned_in, *narrowing)
            .group_by(col(Practice.province_code))
        )
        for province_code, count in (await session.exec(unpinned)).all():
            centre = PROVINCE_CENTRES[province_code]
            key = (math.floor((centre.longitude + 180.0) / cell_degrees),
                   math.floor((centre.latitude + 90.0) / cell_degrees))
            totals = cells.setdefault(key, [0, 0.0, 0.0])
            totals[0] += count
            totals[1] += count * centre.latitude
            totals[2] += count * centre.longitude
    return [ClusterCell(count=int(count), latitude=lat_sum / count, longitude=lon_sum / count)
            for count, lat_sum, lon_sum in cells.values()]


async def search_points(
    session: AsyncSession, *, filters: MapFilters, query: str
) -> list[PracticePoint]:
    """Matching practices whose title, collective, village or summary contain every word of
    `query`, ignoring case and Vietnamese diacritics ("dong ha" finds "Đông Hà").

    Folding happens here rather than in SQL because neither SQLite nor portable SQL can drop
    diacritics; the other filters narrow the candidates in the database first.
    """
    words = fold(query).split()
    statement = (
        select(  # type: ignore[call-overload]
            col(Practice.id), col(Practice.title), col(Practice.submitter_kind),
            col(Practice.submitter_name), col(Practice.village),
            func.substr(col(Practice.description), 1, 300))
        .where(*_conditions(filters))
    )
    matching = []
    for practice_id, title, kind, name, village, summary in (await session.exec(statement)).all():
        collective = name if kind == "collective" else ""
        haystack = _fold_fast(" ".join((title, collective, village, summary or "")))
        if all(word in haystack for word in words):
            matching.append(practice_id)
    rows = []
    for start in range(0, len(matching), 500):  # stay under every database's parameter limit
        statement = (select(*_POINT_COLUMNS, _best_level())  # type: ignore[call-overload]
                     .where(col(Practice.id).in_(matching[start:start + 500])))
        rows += (await session.exec(statement)).all()
    rows.sort(key=lambda row: row[0], reverse=True)  # newest first, as `list_points`
    return [_point(row) for row in rows]


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {code: None for code in range(0x300, 0x370)}  # combining marks
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        lower = chr(code).lower()
        if len(lower) == 1 and len(folded := fold(lower)) == 1 and folded != lower:
            table[ord(lower)] = folded
    return table


_FOLD_TABLE = _fold_table()


def _fold_fast(text: str) -> str:
    """`storage.units.fold` for matching, about ten times faster on long text."""
    return text.lower().translate(_FOLD_TABLE)


# -- one practice ----------------------------------------------------------------------------


async def get_public_practice(session: AsyncSession, *, code: str) -> PracticePublic | None:
    practice = (
        await session.exec(
            select(Practice).where(col(Practice.code) == code,
                                   col(Practice.status).in_(PUBLIC_STATUSES))
        )
    ).first()
    if practice is None or practice.id is None:
        return None
    photos = (
        await session.exec(
            select(PracticePhoto.id, PracticePhoto.position)
            .where(col(PracticePhoto.practice_id) == practice.id)
            .order_by(col(PracticePhoto.position), col(PracticePhoto.id))
        )
    ).all()
    recognitions = (
        await session.exec(
            select(Recognition)
            .where(col(Recognition.practice_id) == practice.id)
            .order_by(col(Recognition.recognised_at))
        )
    ).all()
    ranks = [LEVELS_LOW_TO_HIGH.index(Level(r.level)) for r in recognitions
             if r.level in LEVELS_LOW_TO_HIGH]
    approximate = practice.latitude is None or practice.longitude is None
    return PracticePublic(
        code=practice.code or "",
        status=practice.status,
        title=practice.title,
        field=practice.field,
        submitter_kind=practice.submitter_kind,
        submitter_type=practice.submitter_type,
        collective_name=practice.submitter_name if practice.submitter_kind == "collective"
        else None,
        description=practice.description,
        clear_who=practice.clear_who,
        clear_what=practice.clear_what,
        clear_when=practice.clear_when,
        clear_responsibility=practice.clear_responsibility,
        clear_product=practice.clear_product,
        clear_authority=practice.clear_authority,
        people_mobilised=practice.people_mobilised,
        organisations_taking_part=practice.organisations_taking_part,
        contribution_workdays=practice.contribution_workdays,
        contribution_money_vnd=practice.contribution_money_vnd,
        contribution_money_words=money_words(practice.contribution_money_vnd),
        contribution_other=practice.contribution_other,
        results=practice.results,
        village=practice.village,
        commune_code=practice.commune_code,
        province_code=practice.province_code,
        latitude=practice.latitude,
        longitude=practice.longitude,
        approximate=approximate,
        submitted_at=practice.created_at,
        level=LEVELS_LOW_TO_HIGH[max(ranks)].value if ranks else None,
        photos=[PhotoPublic(id=photo_id, position=position) for photo_id, position in photos
                if photo_id is not None],
        recognitions=[
            RecognitionPublic(level=r.level, unit_code=r.unit_code,
                              recognised_at=r.recognised_at, valid_until=r.valid_until,
                              year=r.year, decision_number=r.decision_number,
                              decision_date=r.decision_date,
                              consulted=r.consultation_id is not None)
            for r in recognitions
        ],
        consensus=await _consensus(session, practice.id),
        assessments=await _assessments(session, practice.id),
        consultations=await _consultations(session, practice.id),
        priority_task=practice.priority_task,
        difficult_area=practice.difficult_area,
        **await _living(session, practice.id),
    )


def video_public(video: PracticeVideo) -> VideoPublic:
    assert video.id is not None
    return VideoPublic(id=video.id, duration_seconds=video.duration_seconds, width=video.width,
                       height=video.height, url=f"/api/videos/{video.id}.mp4",
                       poster_url=f"/api/videos/{video.id}/poster.jpg")


async def _living(session: AsyncSession, practice_id: int) -> dict[str, Any]:
    """Its video, its timeline of published updates, who adopted it, what it resolved."""
    videos = (await session.exec(select(PracticeVideo).where(
        col(PracticeVideo.practice_id) == practice_id))).all()
    own = next((v for v in videos if v.update_id is None), None)
    by_update = {v.update_id: v for v in videos if v.update_id is not None}
    updates = (await session.exec(
        select(PracticeUpdate).where(col(PracticeUpdate.practice_id) == practice_id,
                                     col(PracticeUpdate.status)
                                     == PracticeUpdateStatus.PUBLISHED)
        .order_by(col(PracticeUpdate.created_at), col(PracticeUpdate.id)))).all()
    photos: dict[int, list[UpdatePhotoPublic]] = {}
    if updates:
        for photo in (await session.exec(
                select(PracticeUpdatePhoto)
                .where(col(PracticeUpdatePhoto.update_id).in_([u.id for u in updates]))
                .order_by(col(PracticeUpdatePhoto.position)))).all():
            photos.setdefault(photo.update_id, []).append(UpdatePhotoPublic(
                id=photo.id or 0, thumb_url=f"/api/update-photos/{photo.id}/thumb.jpg",
                large_url=f"/api/update-photos/{photo.id}/large.jpg"))
    replications = (await session.exec(
        select(PracticeReplication).where(col(PracticeReplication.practice_id) == practice_id,
                                          col(PracticeReplication.hidden_at).is_(None))
        .order_by(col(PracticeReplication.created_at).desc()))).all()
    resolved = (await session.exec(
        select(func.count()).select_from(Feedback)
        .where(col(Feedback.resolved_by_practice_id) == practice_id,
               col(Feedback.status) == FeedbackStatus.RESOLVED))).one()
    return {
        "video": video_public(own) if own else None,
        "updates": [UpdatePublic(date=u.created_at, text=u.text, photos=photos.get(u.id or 0, []),
                                 video=video_public(by_update[u.id]) if u.id in by_update
                                 else None) for u in updates],
        "replications": [_replication(r) for r in replications],
        "replication_count": len(replications),
        "feedback_resolved": int(resolved),
    }


def _replication(row: PracticeReplication) -> ReplicationPublic:
    """Communes have no coordinates of their own: an adopting commune is placed near its
    province's centre, for the map's lines of spread."""
    place = (_spread_around_centre(row.id or 0, row.province_code)
             if row.province_code in PROVINCE_CENTRES else (None, None))
    return ReplicationPublic(collective_name=row.collective_name, commune_code=row.commune_code,
                             province_code=row.province_code, declared_at=row.created_at,
                             latitude=place[0], longitude=place[1])


async def get_public_video(session: AsyncSession, *, video_id: int) -> PublicVideoFile | None:
    """A video's files, only when its practice is public and, for an update's video, the
    update is published."""
    if not 0 < video_id <= MAX_ID:
        return None
    row = (await session.exec(
        select(PracticeVideo.path, PracticeVideo.poster_path)
        .join(Practice, col(Practice.id) == col(PracticeVideo.practice_id))
        .outerjoin(PracticeUpdate, col(PracticeUpdate.id) == col(PracticeVideo.update_id))
        .where(col(PracticeVideo.id) == video_id, col(Practice.status).in_(PUBLIC_STATUSES),
               or_(col(PracticeVideo.update_id).is_(None),
                   col(PracticeUpdate.status) == PracticeUpdateStatus.PUBLISHED)))).first()
    return PublicVideoFile(path=row[0], poster_path=row[1]) if row else None


async def get_public_update_photo(session: AsyncSession, *,
                                  photo_id: int) -> PublicPhotoFile | None:
    """A photo of a published update of a public practice."""
    if not 0 < photo_id <= MAX_ID:
        return None
    row = (await session.exec(
        select(PracticeUpdatePhoto.path, PracticeUpdatePhoto.sha256,
               PracticeUpdatePhoto.mime_type)
        .join(PracticeUpdate, col(PracticeUpdate.id) == col(PracticeUpdatePhoto.update_id))
        .join(Practice, col(Practice.id) == col(PracticeUpdate.practice_id))
        .where(col(PracticeUpdatePhoto.id) == photo_id,
               col(PracticeUpdate.status) == PracticeUpdateStatus.PUBLISHED,
               col(Practice.status).in_(PUBLIC_STATUSES)))).first()
    if row is None:
        return None
    return PublicPhotoFile(path=row[0], sha256=row[1], mime_type=row[2])


async def _consultations(session: AsyncSession, practice_id: int) -> list[ConsultationPublic]:
    rows = (await session.exec(select(Consultation).where(
        col(Consultation.practice_id) == practice_id).order_by(col(Consultation.id)))).all()
    return [ConsultationPublic(
        opened_at=c.opened_at, closes_at=c.closes_at, closed_at=c.closed_at, votes=c.votes,
        agree=c.agree, disagree=None if c.votes is None else c.votes - (c.agree or 0),
        satisfaction_avg=c.satisfaction_avg, comments=c.comments) for c in rows]


async def _assessments(session: AsyncSession, practice_id: int) -> list[AssessmentPublic]:
    """The latest self-assessment and the latest scores of each official level: the answers
    only, never an official's comment or who gave them."""
    rows = (await session.exec(select(PracticeAssessment)
                               .where(col(PracticeAssessment.practice_id) == practice_id)
                               .order_by(col(PracticeAssessment.id)))).all()
    latest: dict[str, PracticeAssessment] = {}
    for row in rows:
        latest[AssessmentKind.SELF.value if row.kind == AssessmentKind.SELF else row.level] = row
    return [AssessmentPublic(
        by=by, criteria_version=row.criteria_version, assessed_at=row.created_at,
        scores=[CriterionScorePublic(
            code=item["code"], text=item["text"]["vi"], kind=item["kind"],
            unit=(item.get("unit") or {}).get("vi"), value=row.scores.get(item["code"]))
            for item in row.criteria if item["code"] in row.scores])
        for by, row in sorted(latest.items(), key=lambda pair: pair[0] != "self")]



def money_words(amount: int | None) -> str | None:
    """200000000 -> "hai trăm triệu đồng", as the bot confirmed the sum to the submitter."""
    return None if amount is None else f"{n2w(str(amount))} đồng"


async def _consensus(session: AsyncSession, practice_id: int) -> ConsensusPublic:
    """The votes that count: those of people who declared they live in the practice's
    commune (`PracticeVote.resident_of`)."""
    agreeing = func.sum(case((col(PracticeVote.agrees), 1), else_=0))
    votes, agree, satisfaction = (
        await session.exec(
            select(func.count(), agreeing, func.avg(PracticeVote.satisfaction))
            .join(Practice, col(Practice.id) == col(PracticeVote.practice_id))
            .where(col(PracticeVote.practice_id) == practice_id,
                   col(PracticeVote.resident_of) == col(Practice.commune_code))
        )
    ).one()
    agree = int(agree or 0)
    return ConsensusPublic(
        votes=votes, agree=agree, disagree=votes - agree,
        satisfaction_avg=round(float(satisfaction), 1) if satisfaction is not None else None,
    )


async def get_public_photo(session: AsyncSession, *, photo_id: int) -> PublicPhotoFile | None:
    """A photo's file, only when the practice it belongs to is public."""
    if photo_id > MAX_ID:
        return None
    row = (
        await session.exec(
            select(PracticePhoto.path, PracticePhoto.sha256, PracticePhoto.mime_type,
                   Practice.status)
            .join(Practice, col(Practice.id) == col(PracticePhoto.practice_id))
            .where(col(PracticePhoto.id) == photo_id, col(Practice.status).in_(PUBLIC_STATUSES))
        )
    ).first()
    if row is None:
        return None
    path, sha256, mime_type, status = row
    return PublicPhotoFile(path=path, sha256=sha256, mime_type=mime_type,
                           recognised=status == PracticeStatus.RECOGNISED)


async def submission_span(session: AsyncSession) -> tuple[datetime, datetime] | None:
    """First and last submission instants of public practices (for the year filter)."""
    first, last = (
        await session.exec(
            select(func.min(Practice.created_at), func.max(Practice.created_at))
            .where(col(Practice.status).in_(PUBLIC_STATUSES))
        )
    ).one()
    if first is None or last is None:
        return None
    return first, last
