"""Signing in and out of the console.

GET /console/login/<token> only shows a "Sign in" button when the link is still good: link
previews (Telegram, Zalo fetch links people are sent) must not use up a one-time link. The POST
redeems it, ends any session this browser had (a new token at every sign-in), and starts one."""

from __future__ import annotations

import uuid

from aiohttp import web

from bot.web.console.auth import (
    Desk,
    clear_session_cookie,
    cookie_token,
    new_token,
    set_session_cookie,
    sign_in_page,
)
from bot.web.keys import DB, SERVICES
from bot.web.templating import page_language, render_page
from handlers.clock import to_db
from handlers.officials import audit, desk
from handlers.officials.jurisdiction import official_scope
from storage.models import ConsoleSignInLink
from storage.repositories import console_sessions

LINK_TOKEN = r"[A-Za-z0-9_-]{32,64}"


async def sign_in(request: web.Request) -> web.Response:
    """/console/login: how to sign in (also what anyone without a session sees)."""
    return sign_in_page(request, status=200)


async def link_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    now = to_db(request.app[SERVICES].clock.now())
    async with request.app[DB].session() as session:
        link = await console_sessions.link_of(session, token=token)
    if not _usable(link, now):
        return sign_in_page(request, reason="signin.link_used")
    response = render_page(request, "console/link.html", language=page_language(request),
                           action=request.path, desk=None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _usable(link: ConsoleSignInLink | None, now) -> bool:  # noqa: ANN001
    if link is None or link.used_at is not None:
        return False
    expires = link.expires_at
    return (expires if expires.tzinfo else expires.replace(tzinfo=now.tzinfo)) > now


async def redeem(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    services = request.app[SERVICES]
    now = to_db(services.clock.now())
    async with request.app[DB].session() as session:
        person_id = await console_sessions.redeem_link(session, token=token, now=now)
        person = await console_sessions.person_of(session, person_id) if person_id else None
        if person is None:
            await session.commit()
            return sign_in_page(request, reason="signin.link_used")
        ctx = desk.desk_context(session, services, person, language=page_language(request),
                                request_id=uuid.uuid4().hex)
        if official_scope(ctx) is None:
            await session.commit()
            return sign_in_page(request, reason="signin.needed")
        if (old := cookie_token(request)) is not None:
            await console_sessions.end_session(session, token=old)
        fresh = new_token()
        await console_sessions.start_session(session, person_id=person.id or 0, token=fresh,
                                             now=now)
        await audit.record(ctx, "console.signin", kind="person", record_id=person.id)
        await session.commit()
    response = web.HTTPSeeOther("/console/")
    set_session_cookie(request, response, fresh)
    raise response


async def sign_out(request: web.Request, desk_: Desk) -> web.Response:
    token = cookie_token(request)
    if token is not None:
        await console_sessions.end_session(desk_.ctx.session, token=token)
    await audit.record(desk_.ctx, "console.signout", kind="person", record_id=desk_.ctx.person.id)
    response = sign_in_page(request, status=200, reason="signin.signed_out")
    clear_session_cookie(response)
    return response
