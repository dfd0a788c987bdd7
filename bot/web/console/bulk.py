"""Bulk actions from the inbox: acknowledge, or forward to the province, several feedback at
once. Each one is the chat's own action on one record (checked, audited and told to its sender
one by one); the page then says how many were done and why the others were not."""

from __future__ import annotations

from aiohttp import web

from bot.web.console.auth import Desk
from bot.web.console.views import page
from handlers.officials.desk_actions import on_feedback

MAX_BULK = 100
VERBS = {"ack": ("ack", {}), "forward": ("forward", {"target": "province"})}


async def bulk_action(request: web.Request, desk: Desk) -> web.Response:
    posted = await request.post()
    verb, form = VERBS.get(str(posted.get("action") or ""), (None, {}))
    ids = [int(raw) for raw in posted.getall("item", [])
           if isinstance(raw, str) and raw.isdigit() and len(raw) <= 12][:MAX_BULK]
    if verb is None or not ids:
        return page(request, desk, "console/bulk.html", status=400, done=0, problems=[],
                    nothing=True)
    done, problems = 0, []
    for feedback_id in dict.fromkeys(ids):
        outcome = await on_feedback(desk.ctx, feedback_id, verb, dict(form))
        if outcome.done:
            done += 1
        else:
            problems.append((feedback_id, outcome.message))
    return page(request, desk, "console/bulk.html", done=done, problems=problems,
                nothing=False)
