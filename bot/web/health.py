"""/healthz for load balancers and operators: is the database reachable and writable, can the
media store take a file, is the scheduler up, does this worker lead?

The scheduler is reported as "absent" until the wiring passes one in (anything with a `running`
attribute, like APScheduler's); a stopped scheduler, an unreachable database, or a database or
media store that refuses writes (a full or read-only disk) answers 503 with the reason.
With several workers (bot/leadership.py) only the leader runs the scheduler: a follower's is
"standby", and the follower is healthy. `leader` and `worker` say which worker answered.
When items wait with no official anywhere on their path, `unassigned` lists their units and
`warnings` names it: the operator should invite one; the check still passes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.web.keys import CHANNEL_HEALTH, DB, LEADERSHIP, SCHEDULER, SERVICES
from storage.db import Database, is_unavailable
from storage.media import MediaStore
from storage.repositories import health, unassigned
from storage.units import UnitDirectory

log = logging.getLogger(__name__)

PING_TIMEOUT_SECONDS = 5
UNASSIGNED_UNITS_LISTED = 50
"""Units with the most unassigned items listed on /healthz (`units_total` counts them all)."""


async def healthz(request: web.Request) -> web.Response:
    database = await _database(request.app[DB])
    media = await _media(request.app[SERVICES].media)
    scheduler = request.app[SCHEDULER]
    leadership = request.app.get(LEADERSHIP)
    leader = leadership is None or bool(leadership.leader)
    if scheduler is None:
        scheduler_state = "absent"
    elif not leader:
        scheduler_state = "standby"
    else:
        scheduler_state = "running" if scheduler.running else "stopped"
    healthy = database == "ok" and media == "ok" and scheduler_state != "stopped"
    body: dict[str, Any] = {"status": "ok" if healthy else "unhealthy", "database": database,
                            "media": media, "scheduler": scheduler_state}
    if leadership is not None:
        body |= {"leader": leader, "worker": leadership.worker}
    if database == "ok":  # an operator's warning, never a failure of the check
        waiting = await _unassigned(request.app[DB], request.app[SERVICES].units)
        if waiting is not None:
            body |= {"unassigned": waiting, "warnings": ["unassigned_items"]}
    for name, source in request.app.get(CHANNEL_HEALTH, {}).items():
        body[name] = source.health()  # Zalo OA's token: "degraded", still 200
        if healthy and body[name].get("token", "ok") != "ok":
            body["status"] = "degraded"
    return web.json_response(body, status=200 if healthy else 503,
                             headers={"Cache-Control": "no-store"})


async def _unassigned(db: Database, units: UnitDirectory) -> dict[str, Any] | str | None:
    """Units with items waiting and no official at the unit, its province or the centre: unit
    codes and names and how many items, nothing about the items or who sent them (None when
    there are none)."""
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), db.session() as session:
            waiting = await unassigned.waiting_units(session)
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        log.warning("health check: unassigned items not counted",
                    extra={"error": type(error).__name__})
        return "error"
    if not waiting:
        return None
    listed = []
    for unit in waiting[:UNASSIGNED_UNITS_LISTED]:
        info, province = units.get(unit.unit_code), units.get(unit.province_code)
        listed.append({"code": unit.unit_code, "name": info.name if info else None,
                       "province_code": unit.province_code,
                       "province": province.name if province else None,
                       "feedback": unit.feedback, "practice": unit.practice})
    return {"feedback": sum(u.feedback for u in waiting),
            "practice": sum(u.practice for u in waiting),
            "units_total": len(waiting), "units": listed}


async def _database(db: Database) -> str:
    """"ok" if the database answers and would take a write; else "error" (unreachable) or
    why it refuses writes ("read_only", "full", …)."""
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), db.session() as session:
            await health.ping(session)
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        log.warning("health check: database unreachable", extra={"error": type(error).__name__})
        return "error"
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), db.session() as session:
            await health.probe_write(session)
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        why = _why_unwritable(error)
        log.warning("health check: database refuses writes", extra={"reason": why})
        return why
    return "ok"


def _why_unwritable(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "read_only"
    if "full" in text or "no space" in text:
        return "full"
    return "not_writable" if is_unavailable(error) else "error"


async def _media(media: MediaStore) -> str:
    """"ok" if a file can be written to the media store and removed, else why not."""
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            problem = await asyncio.to_thread(media.probe)
    except TimeoutError:
        problem = "timeout"
    if problem is not None:
        log.warning("health check: media store refuses writes", extra={"reason": problem})
    return problem or "ok"
