"""Every URL of the officials' console, in one list (added to the web server's by
bot/web/server.py)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.web.console import inbox, signin
from bot.web.console.auth import official_page

STATIC = Path(__file__).resolve().parent / "static"
ID = r"{item_id:[1-9]\d{0,11}}"


def setup_routes(app: web.Application) -> None:
    add = app.router
    add.add_get("/console", _to_inbox)
    add.add_get("/console/", official_page(inbox.inbox_page), name="console")
    add.add_get("/console/login", signin.sign_in)
    add.add_get(f"/console/login/{{token:{signin.LINK_TOKEN}}}", signin.link_page)
    add.add_post(f"/console/login/{{token:{signin.LINK_TOKEN}}}", signin.redeem)
    add.add_post("/console/logout", official_page(signin.sign_out))
    add.add_static("/console/static/", STATIC)


async def _to_inbox(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/console/")
