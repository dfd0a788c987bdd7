"""/healthz for load balancers and operators: is the database reachable, is the scheduler up?

The scheduler is reported as "absent" until the wiring passes one in (anything with a `running`
attribute, like APScheduler's); a stopped scheduler or an unreachable database answers 503.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.web.keys import CHANNEL_HEALTH, DB, SCHEDULER
from storage.repositories import health

log = logging.getLogger(__name__)

PING_TIMEOUT_SECONDS = 5


async def healthz(request: web.Request) -> web.Response:
    database = "ok"
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), request.app[DB].session() as session:
            await health.ping(session)
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        log.warning("health check: database unreachable", extra={"error": type(error).__name__})
        database = "error"
    scheduler = request.app[SCHEDULER]
    if scheduler is None:
        scheduler_state = "absent"
    else:
        scheduler_state = "running" if scheduler.running else "stopped"
    healthy = database == "ok" and scheduler_state != "stopped"
    body: dict[str, Any] = {"status": "ok" if healthy else "unhealthy", "database": database,
            "scheduler": scheduler_state}
    for name, source in request.app.get(CHANNEL_HEALTH, {}).items():
        body[name] = source.health()  # Zalo OA's token: "degraded", still 200
        if healthy and body[name].get("token", "ok") != "ok":
            body["status"] = "degraded"
    return web.json_response(body, status=200 if healthy else 503,
                             headers={"Cache-Control": "no-store"})
