"""Reading Open311 GeoReport v2 parameters (bot/web/open311.py), and its error answers.

GeoReport v2 answers errors as a list of `{"code", "description"}`; every bad parameter gets
one, in words a partner's developer can act on, never a stack trace or a 500.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import NoReturn
from zoneinfo import ZoneInfo

from aiohttp import web

from storage.models import (
    CLOSED_FEEDBACK_STATUSES,
    OPEN_FEEDBACK_STATUSES,
    FeedbackStatus,
)
from storage.public_shapes import BBox, FeedbackFilters

DEFAULT_SPAN = timedelta(days=90)
"""Without start_date and end_date, the last 90 days (GeoReport v2's default span)."""
MAX_RESULTS = 1000
REQUEST_ID = r"PA-\d{4}-\d{1,12}"
OPEN311_STATUSES = {
    "open": tuple(str(status) for status in OPEN_FEEDBACK_STATUSES),
    "closed": tuple(str(status) for status in (*CLOSED_FEEDBACK_STATUSES,
                                                 FeedbackStatus.MERGED)),
}
NO_STORE = {"Cache-Control": "no-store"}


def error_response(status: int, description: str,
                   headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response([{"code": status, "description": description}], status=status,
                             headers={**NO_STORE, **(headers or {})})


class Refused(Exception):
    """A request Open311 answers with an error list (`answers_errors` turns it into one)."""

    def __init__(self, status: int, description: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(description)
        self.response = error_response(status, description, headers)


def refuse(status: int, description: str, headers: Mapping[str, str] | None = None) -> NoReturn:
    raise Refused(status, description, headers)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def answers_errors(handler: Handler) -> Handler:
    """The handler's `Refused` as a GeoReport v2 error list, with its status."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except Refused as refused:
            return refused.response

    return wrapped


def _list(query: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in query.get(name, "").split(",") if part.strip())


def _instant(query: Mapping[str, str], name: str, tz: ZoneInfo) -> datetime | None:
    text = query.get(name, "").strip()
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
        return (found if found.tzinfo else found.replace(tzinfo=tz)).astimezone(UTC)
    except (ValueError, OverflowError):  # not a date, or beyond what a date can hold in UTC
        refuse(400, f"{name}: expected a W3C date and time, like 2026-11-01T00:00:00+07:00")


def _bbox(text: str) -> BBox | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        refuse(400, "bbox: expected west,south,east,north in degrees")
    if not all(math.isfinite(v) for v in (west, south, east, north)) or not (
            -180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        refuse(400, "bbox: expected west,south,east,north in degrees, west ≤ east, south ≤ north")
    return BBox(west=west, south=south, east=east, north=north)


def parse_requests_query(query: Mapping[str, str], *, categories: tuple[str, ...],
                         tz: ZoneInfo, now: datetime) -> FeedbackFilters:
    """GET requests.json: service_request_id (then nothing else counts), service_code,
    start_date, end_date, status (comma-separated lists where the spec allows) and our
    `bbox`."""
    codes = _list(query, "service_request_id")
    if codes:  # "This overrides all other arguments" (GeoReport v2)
        if len(codes) > MAX_RESULTS:
            refuse(400, f"service_request_id: at most {MAX_RESULTS} ids")
        return FeedbackFilters(codes=codes, limit=MAX_RESULTS)
    services = _list(query, "service_code")
    unknown = [code for code in services if code not in categories]
    if unknown:
        refuse(400, f"service_code: unknown {', '.join(unknown)[:100]} (see services.json)")
    statuses: list[str] = []
    for status in _list(query, "status"):
        if status not in OPEN311_STATUSES:
            refuse(400, "status: expected open, closed or both, comma-separated")
        statuses += OPEN311_STATUSES[status]
    start, end = _instant(query, "start_date", tz), _instant(query, "end_date", tz)
    if start is not None and end is not None and start > end:
        refuse(400, "start_date is after end_date")
    if start is None and end is None:
        start = now - DEFAULT_SPAN
    return FeedbackFilters(
        categories=services, statuses=tuple(statuses), created_from=start,
        created_before=end, bbox=_bbox(query.get("bbox", "").strip()), limit=MAX_RESULTS)


def open311_status(status: str) -> str:
    return "open" if status in OPEN311_STATUSES["open"] else "closed"
