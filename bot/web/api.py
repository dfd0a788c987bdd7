"""The public JSON API: practices as GeoJSON for the map, one practice in full, the provinces and
communes the filters offer (searchable by their pre-2025 names too), and the photos of public
practices. Described in `openapi.py`.

Everything here reads through `storage.repositories.public_map`, which only ever hands out
approved or recognised practices and their public fields.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any, Literal, cast

from aiohttp import web

from bot.web.api_params import MapQuery, bad_parameter, parse_map_query
from bot.web.keys import DB, MAP_ANSWERS, MAP_FLIGHTS, SERVICES
from bot.web.signed_media import BUSY_HEADERS
from storage.media import MediaUnavailable
from storage.media_copies import BadImage
from storage.province_centres import PROVINCE_CENTRES
from storage.public_shapes import ClusterCell, PracticePoint, PracticePublic, PublicVideoFile
from storage.repositories import public_map

PRACTICE_CODE = r"MH-\d{4}-\d{1,12}"
CACHE_SHORT = {"Cache-Control": "public, max-age=30"}
CACHE_LONG = {"Cache-Control": "public, max-age=86400"}
HQ_COPY = "send"
"""A recognised practice's photos in high quality for the press ("Tải ảnh chất lượng cao"):
the largest clean copy we make (storage/media_copies.SIZES), never the original."""


def cell_degrees(zoom: int) -> float:
    """Grid cell for server-side clusters: a quarter of a 256-pixel map tile (~64 px)."""
    return 360.0 / (2**zoom) / 4


async def practices_geojson(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    parsed = parse_map_query(request.query, tz=services.tz, units=services.units)
    async with request.app[DB].reading() as session:  # first: see bot/web/map_answers.py
        version = await public_map.map_version(session)
    answers, query = request.app[MAP_ANSWERS], request.query_string
    text = answers.get(query, version)
    if text is None:
        # Readers asking for the same view at the same moment share one computation.
        text = await request.app[MAP_FLIGHTS].run(
            f"{version}?{query}", lambda: _geojson_text(request, parsed))
        answers.put(query, version, text)
    return web.json_response(text=text, headers=CACHE_SHORT)


async def _geojson_text(request: web.Request, parsed: MapQuery) -> str:
    return json.dumps(await _geojson_body(request, parsed))


async def _geojson_body(request: web.Request, parsed: MapQuery) -> dict[str, Any]:
    filters, cell = parsed.filters, cell_degrees(parsed.zoom)
    clusters: list[ClusterCell] | None = None
    async with request.app[DB].reading() as session:
        if filters.query:
            points = await public_map.search_points(session, filters=filters, query=filters.query)
            total = len(points)
            if total > parsed.limit:
                clusters = cluster_points(points, cell)
        elif await public_map.count_points(session, filters=filters,
                                           up_to=parsed.limit + 1) > parsed.limit:
            points = []
            clusters = await public_map.grid_clusters(session, filters=filters,
                                                      cell_degrees=cell)
            total = sum(group.count for group in clusters)
        else:
            points = await public_map.list_points(session, filters=filters, limit=parsed.limit)
            total = len(points)
    features = ([_cluster_feature(c) for c in clusters] if clusters is not None
                else [_point_feature(p) for p in points])
    return {"type": "FeatureCollection", "features": features, "total": total,
            "clustered": clusters is not None}


def cluster_points(points: list[PracticePoint], cell: float) -> list[ClusterCell]:
    """The same grid as `public_map.grid_clusters`, for search results already in memory."""
    cells: dict[tuple[int, int], list[float]] = {}
    for point in points:
        key = (math.floor((point.longitude + 180) / cell),
               math.floor((point.latitude + 90) / cell))
        totals = cells.setdefault(key, [0, 0.0, 0.0])
        totals[0] += 1
        totals[1] += point.latitude
        totals[2] += point.longitude
    return [ClusterCell(count=int(n), latitude=lat / n, longitude=lon / n)
            for n, lat, lon in cells.values()]


def _point_feature(point: PracticePoint) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(point.longitude, 6),
                                                      round(point.latitude, 6)]},
        "properties": {"code": point.code, "title": point.title, "field": point.field,
                       "level": point.level, "approximate": point.approximate},
    }


def _cluster_feature(cell: ClusterCell) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(cell.longitude, 6),
                                                      round(cell.latitude, 6)]},
        "properties": {"cluster": True, "count": cell.count},
    }


async def load_public_practice(request: web.Request) -> PracticePublic:
    async with request.app[DB].reading() as session:
        practice = await public_map.get_public_practice(session, code=request.match_info["code"])
    if practice is None:
        raise web.HTTPNotFound(reason="practice not found")
    return practice


def photo_urls(photo_id: int) -> dict[str, str]:
    return {"thumb_url": f"/api/photos/{photo_id}/thumb.jpg",
            "large_url": f"/api/photos/{photo_id}/large.jpg"}


async def practice_detail(request: web.Request) -> web.Response:
    practice = await load_public_practice(request)
    units = request.app[SERVICES].units
    body = practice.model_dump(mode="json")
    commune, province = units.get(practice.commune_code), units.get(practice.province_code)
    body["commune_name"] = commune.name if commune else None
    body["province_name"] = province.name if province else None
    body["photos"] = [{"id": photo.id, **photo_urls(photo.id)} for photo in practice.photos]
    body["links"] = {"map": f"/?practice={practice.code}", "page": f"/practices/{practice.code}"}
    return web.json_response(body, headers=CACHE_SHORT)


async def provinces(request: web.Request) -> web.Response:
    body = []
    for unit in request.app[SERVICES].units.provinces():
        centre = PROVINCE_CENTRES.get(unit.code)
        body.append({"code": unit.code, "name": unit.name,
                     "bbox": list(centre.bbox()) if centre else None})
    return web.json_response(body, headers=CACHE_LONG)


async def communes(request: web.Request) -> web.Response:
    units = request.app[SERVICES].units
    province = units.get(request.match_info["code"])
    if province is None or province.kind != "province":
        raise web.HTTPNotFound(reason="province not found")
    body = [{"code": unit.code, "name": unit.name} for unit in units.communes(province.code)]
    return web.json_response(body, headers=CACHE_LONG)


async def search_units(request: web.Request) -> web.Response:
    """Provinces and communes by today's name or the one they had before the 2025
    reorganisation: `formerly` names the former unit that matched, if that is how."""
    query = request.query.get("q", "").strip()
    if not 2 <= len(query) <= 120:
        raise bad_parameter("q", "expected 2 to 120 characters")
    wanted = request.query.get("kind") or None
    if wanted not in (None, "province", "commune"):
        raise bad_parameter("kind", "expected province or commune")
    kind = cast(Literal["province", "commune"] | None, wanted)
    matches = request.app[SERVICES].units.search_matches(query, kind=kind, limit=10)
    body = [{"code": m.unit.code, "name": m.unit.name, "kind": m.unit.kind,
             "province_code": m.unit.province_code, "province_name": m.unit.province_name,
             "label": m.unit.label,
             "formerly": None if m.formerly is None else {
                 "name": m.formerly.name, "district": m.formerly.district,
                 "province": m.formerly.province, "label": m.formerly.label}}
            for m in matches]
    return web.json_response(body, headers=CACHE_LONG)


async def update_photo(request: web.Request) -> web.StreamResponse:
    """A photo of a published update (the practice's timeline), as a clean copy."""
    async with request.app[DB].reading() as session:
        found = await public_map.get_public_update_photo(
            session, photo_id=int(request.match_info["photo_id"]))
    if found is None:
        raise web.HTTPNotFound(reason="photo not found")
    return await _clean_photo(request, found.path, request.match_info["size"])


async def video(request: web.Request) -> web.StreamResponse:
    """A practice's (or a published update's) video, already clean; FileResponse answers
    range requests (206), so a phone plays it while it downloads and can seek."""
    found = await _public_video(request)
    return await _kept_file(request, found.path, "video/mp4")


async def video_poster(request: web.Request) -> web.StreamResponse:
    found = await _public_video(request)
    return await _kept_file(request, found.poster_path, "image/jpeg")


async def _kept_file(request: web.Request, key: str, content_type: str) -> web.StreamResponse:
    try:
        path = await asyncio.to_thread(request.app[SERVICES].media.outgoing, key)
    except FileNotFoundError:
        raise web.HTTPNotFound(reason="file missing") from None
    except MediaUnavailable:  # the store refuses now (logged there, with the key)
        raise web.HTTPServiceUnavailable(headers=BUSY_HEADERS) from None
    return web.FileResponse(path, headers={**CACHE_LONG, "Content-Type": content_type})


async def _public_video(request: web.Request) -> PublicVideoFile:
    async with request.app[DB].reading() as session:
        found = await public_map.get_public_video(
            session, video_id=int(request.match_info["video_id"]))
    if found is None:
        raise web.HTTPNotFound(reason="video not found")
    return found


async def photo(request: web.Request) -> web.StreamResponse:
    async with request.app[DB].reading() as session:
        found = await public_map.get_public_photo(session,
                                                  photo_id=int(request.match_info["photo_id"]))
    size = request.match_info["size"]
    if found is None or (size == "hq" and not found.recognised):
        raise web.HTTPNotFound(reason="photo not found")
    return await _clean_photo(request, found.path, size)


async def _clean_photo(request: web.Request, stored: str, size: str) -> web.StreamResponse:
    try:  # a clean copy, never the original (storage/media_copies.py)
        path = await asyncio.to_thread(request.app[SERVICES].media.photo_copy, stored,
                                       HQ_COPY if size == "hq" else size)
    except (FileNotFoundError, BadImage):
        raise web.HTTPNotFound(reason="photo file missing") from None
    except MediaUnavailable:  # the store refuses now (logged there, with the key)
        raise web.HTTPServiceUnavailable(headers=BUSY_HEADERS) from None
    return web.FileResponse(path, headers={**CACHE_LONG, "Content-Type": "image/jpeg"})
