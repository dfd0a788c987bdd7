"""/console/templates: a unit's reply templates: listed, added, removed by its officials. A
template fills the reply box on a record; the official can still edit the words."""

from __future__ import annotations

from aiohttp import web

from bot.web.console.auth import Desk
from bot.web.console.views import page
from handlers.officials import desk_actions
from handlers.officials.desk_actions import Outcome
from handlers.officials.jurisdiction import official_scope
from storage.repositories import console_desk


async def templates_page(request: web.Request, desk: Desk,
                         outcome: Outcome | None = None) -> web.Response:
    scope = official_scope(desk.ctx)
    assert scope is not None
    found = await console_desk.templates_of(desk.ctx.session, unit_code=scope.unit_code)
    status = 200 if outcome is None or outcome.done else 403 if outcome.refused else 400
    return page(request, desk, "console/templates.html", status=status, templates=found,
                outcome=outcome)


async def add(request: web.Request, desk: Desk) -> web.Response:
    posted = await request.post()
    title, text = posted.get("title"), posted.get("text")
    outcome = await desk_actions.add_template(
        desk.ctx, title if isinstance(title, str) else None,
        text if isinstance(text, str) else None)
    return await templates_page(request, desk, outcome)


async def remove(request: web.Request, desk: Desk) -> web.Response:
    outcome = await desk_actions.remove_template(desk.ctx, int(request.match_info["item_id"]))
    return await templates_page(request, desk, outcome)
