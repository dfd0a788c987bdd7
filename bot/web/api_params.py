"""Query parameters of the map API, checked: a bad value is a 400 naming the parameter, never
a 500 and never silently ignored."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiMapping

from handlers.practice_form import FIELDS
from storage.models import DIFFICULT_AREAS, PRIORITY_TASKS, Level
from storage.public_shapes import BBox, MapFilters
from storage.units import UnitDirectory, fold

DEFAULT_ZOOM = 6
DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
MAX_QUERY_CHARS = 100
YEARS = (2000, 2100)
LEVELS = tuple(level.value for level in Level)
PRIORITIES = (*(p for p in PRIORITY_TASKS if p != "both"), *DIFFICULT_AREAS)
"""The "Ưu tiên" flags the map filters by."""


@dataclass(frozen=True)
class MapQuery:
    filters: MapFilters
    zoom: int
    limit: int


def bad_parameter(name: str, detail: str) -> web.HTTPBadRequest:
    body = {"error": "bad_parameter", "parameter": name, "detail": detail}
    return web.HTTPBadRequest(text=json.dumps(body), content_type="application/json")


def parse_map_query(query: MultiMapping[str], *, tz: ZoneInfo, units: UnitDirectory) -> MapQuery:
    year = _integer(query, "year", *YEARS)
    submitted_from = submitted_before = None
    if year is not None:
        submitted_from = datetime(year, 1, 1, tzinfo=tz)
        submitted_before = datetime(year + 1, 1, 1, tzinfo=tz)
    filters = MapFilters(
        bbox=_bbox(query.get("bbox")),
        field=_choice(query, "field", FIELDS),
        level=_choice(query, "level", LEVELS),
        province_code=_unit(query, "province", "province", units),
        commune_code=_unit(query, "commune", "commune", units),
        submitted_from=submitted_from,
        submitted_before=submitted_before,
        query=_text(query),
        priority=_choice(query, "priority", PRIORITIES),
    )
    zoom = _integer(query, "zoom", 0, 22)
    limit = _integer(query, "limit", 1, MAX_LIMIT)
    return MapQuery(filters, DEFAULT_ZOOM if zoom is None else zoom,
                    DEFAULT_LIMIT if limit is None else limit)


def _bbox(raw: str | None) -> BBox | None:
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise bad_parameter("bbox", "expected west,south,east,north")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise bad_parameter("bbox", "expected four numbers") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise bad_parameter("bbox", "expected finite numbers")
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise bad_parameter("bbox", "expected -180 <= west <= east <= 180 and "
                                    "-90 <= south <= north <= 90")
    return BBox(west, south, east, north)


def _choice(query: MultiMapping[str], name: str, allowed: tuple[str, ...]) -> str | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise bad_parameter(name, "expected one of " + ", ".join(allowed))
    return raw


def _unit(query: MultiMapping[str], name: str, kind: str, units: UnitDirectory) -> str | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    unit = units.get(raw) if raw.isdigit() and len(raw) <= 5 else None
    if unit is None or unit.kind != kind:
        raise bad_parameter(name, f"unknown {kind} code")
    return unit.code


def _integer(query: MultiMapping[str], name: str, low: int, high: int) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
        raise bad_parameter(name, f"expected a whole number from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise bad_parameter(name, f"expected a whole number from {low} to {high}")
    return value


def _text(query: MultiMapping[str]) -> str | None:
    raw = (query.get("q") or "").strip()
    if len(raw) > MAX_QUERY_CHARS:
        raise bad_parameter("q", f"at most {MAX_QUERY_CHARS} characters")
    return raw if fold(raw) else None
