"""Every URL of the officials' console, in one list (added to the web server's by
bot/web/server.py)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.web.console import (
    bulk,
    dashboard,
    feedback_map,
    inbox,
    people,
    record,
    reply_templates,
    signin,
)
from bot.web.console.auth import official_page

STATIC = Path(__file__).resolve().parent / "static"
ID = r"{item_id:[1-9]\d{0,8}}"
PHOTO = r"{photo_id:[1-9]\d{0,8}}"
ADOPTION = r"{adoption_id:[1-9]\d{0,8}}"


def setup_routes(app: web.Application) -> None:
    add = app.router
    add.add_get("/console", _to_inbox)
    add.add_get("/console/", official_page(inbox.inbox_page), name="console")
    add.add_get("/console/login", signin.sign_in)
    add.add_get(f"/console/login/{{token:{signin.LINK_TOKEN}}}", signin.link_page)
    add.add_post(f"/console/login/{{token:{signin.LINK_TOKEN}}}", signin.redeem)
    add.add_post("/console/logout", official_page(signin.sign_out))
    # A record on one screen, its photos, and the actions on it.
    add.add_get(f"/console/feedback/{ID}", official_page(record.feedback_page))
    add.add_get(f"/console/practices/{ID}", official_page(record.practice_page))
    add.add_get(f"/console/feedback/{ID}/photos/{PHOTO}.jpg",
                official_page(record.feedback_photo))
    add.add_get(f"/console/practices/{ID}/photos/{PHOTO}.jpg",
                official_page(record.practice_photo))
    add.add_post(f"/console/feedback/{ID}/{{verb:[a-z]{{2,12}}}}",
                 official_page(record.feedback_action))
    add.add_post(f"/console/practices/{ID}/{{verb:[a-z]{{2,12}}}}",
                 official_page(record.practice_action))
    add.add_post(f"/console/practices/{ID}/adoptions/{ADOPTION}/{{verb:hide|show}}",
                 official_page(record.adoption_action))
    add.add_post("/console/bulk", official_page(bulk.bulk_action))
    # The unit's reply templates.
    add.add_get("/console/templates", official_page(reply_templates.templates_page))
    add.add_post("/console/templates", official_page(reply_templates.add))
    add.add_post(f"/console/templates/{ID}/remove", official_page(reply_templates.remove))
    # The map of feedback and its hotspots.
    add.add_get("/console/map", official_page(feedback_map.map_page))
    add.add_get("/console/map.json", official_page(feedback_map.map_json))
    # Dashboards: the report's figures for any period, CSV per table, the XLSX report.
    add.add_get("/console/dashboard", official_page(dashboard.dashboard_page))
    add.add_get("/console/dashboard/report.xlsx", official_page(dashboard.report_xlsx))
    add.add_get("/console/dashboard/{chart:[a-z]{2,16}}.csv", official_page(dashboard.chart_csv))
    # People and invites.
    add.add_get("/console/people", official_page(people.people))
    add.add_post("/console/people/invite", official_page(people.invite))
    add.add_post(f"/console/people/invites/{ID}/revoke", official_page(people.revoke))
    add.add_post(f"/console/people/{ID}/remove", official_page(people.remove_role))
    add.add_static("/console/static/", STATIC)


async def _to_inbox(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/console/")
