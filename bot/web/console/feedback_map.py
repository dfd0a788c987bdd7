"""/console/map: the feedback of the official's jurisdiction on a map (never public), with the
inbox's filters, and the hotspots ("điểm nóng"): feedback per commune in the last 30 and 90
days. /console/map.json feeds the map: grid cells grouped on the server (storage
console_map), coloured by status and age in the page's script; no sender's identity ever."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from aiohttp import web

from bot.web.console.auth import Desk
from bot.web.console.inbox import overdue_limits, parse_query
from bot.web.console.views import page
from bot.web.keys import SETTINGS
from handlers.clock import from_db, to_db
from handlers.feedback import DEFAULT_CATEGORIES
from handlers.officials.inbox import scope_label
from handlers.officials.jurisdiction import official_scope
from handlers.officials.render import unit_label
from storage.models import FeedbackStatus
from storage.repositories import console_inbox, console_map
from storage.repositories.console_inbox import FEEDBACK

HOT_MINIMUM = 3
"""A commune is a hotspot when it received at least this many feedback in 30 days and more than
its 90-day monthly average (a rise, not just a big commune)."""


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in (raw or "").split(","))
    except ValueError:
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north


def _zoom(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) <= 20 else 6


def age_days(now: datetime, oldest: datetime) -> int:
    return max(0, (now - from_db(oldest)).days)


async def map_json(request: web.Request, desk: Desk) -> web.Response:
    ctx = desk.ctx
    scope = official_scope(ctx)
    assert scope is not None  # official_page checked it
    query, _ = parse_query(request, desk)
    if query.kind != FEEDBACK:  # the map shows feedback only
        query = replace(query, kind=FEEDBACK, status=None, category=None)
    found = await console_map.map_cells(
        ctx.session, scope=scope, query=query, limits=overdue_limits(request, to_db(ctx.now)),
        zoom=_zoom(request.query.get("zoom")), bbox=_bbox(request.query.get("bbox")))
    now = ctx.now
    return web.json_response({
        "cells": [{"lat": round(c.latitude, 5), "lon": round(c.longitude, 5),
                   "status": c.status, "count": c.count,
                   "age_days": age_days(now, c.oldest), "id": c.feedback_id}
                  for c in found.cells],
        "total": sum(c.count for c in found.cells), "unplaced": found.unplaced,
        "bounds": found.bounds})


async def map_page(request: web.Request, desk: Desk) -> web.Response:
    ctx = desk.ctx
    scope = official_scope(ctx)
    assert scope is not None
    query, kept = parse_query(request, desk)
    kept.pop("kind", None)
    kept.pop("sort", None)
    found = await console_map.hotspots(ctx.session, scope=scope, now=to_db(ctx.now))
    communes = await console_inbox.communes_in_scope(ctx.session, scope=scope, kind=FEEDBACK)
    settings = request.app[SETTINGS]
    t = ctx.t
    return page(
        request, desk, "console/map.html", query=query, kept=kept,
        where=scope_label(ctx, scope),
        hotspots=[(unit_label(ctx, h.commune_code), h.commune_code, h.last_30, h.last_90,
                   h.last_30 >= HOT_MINIMUM and h.last_30 * 3 > h.last_90)
                  for h in found],
        statuses=[(s.value, t(f"status.feedback.{s.value}")) for s in FeedbackStatus],
        categories=[(c, t(f"option.category.{c}")) for c in DEFAULT_CATEGORIES],
        communes=[(code, unit_label(ctx, code)) for code in communes],
        tiles=settings.web.map_tile_url or "", attribution=settings.web.map_tile_attribution or "",
        now_date=ctx.local(ctx.now).date().isoformat())
