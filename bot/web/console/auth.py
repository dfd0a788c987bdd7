"""Console sessions on the web side: the cookie, the CSRF token, and `official_page`, the one
wrapper every console page goes through.

On every request the session is looked up by its token's hash together with its person, and the
person's role and jurisdiction are checked again (a role removed since ends the session). Anyone
without a live official session gets the sign-in page and no data. A POST must carry the
session's CSRF token (a form field or the X-CSRF-Token header of a `fetch`)."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import BodyPartReader, MultipartReader, web

from bot.web.keys import DB, SERVICES, SETTINGS
from bot.web.templating import page_language, render_page
from handlers.clock import to_db
from handlers.context import Context
from handlers.officials import desk
from handlers.officials.jurisdiction import official_scope
from storage.models import ConsoleSession
from storage.repositories import console_sessions

log = logging.getLogger(__name__)

COOKIE = "dvk_console"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MULTIPART = web.RequestKey("console_multipart", MultipartReader)
"""A multipart POST's reader, after its first part (the CSRF token) was read: the handler
reads the rest (photos) part by part, never the whole body at once."""
WakeOutbox = Callable[[], None]
WAKE_OUTBOX: web.AppKey[WakeOutbox] = web.AppKey("console_wake_outbox")
"""Wakes the outbox sender after a console action queued notices (the engine's hook)."""


@dataclass
class Desk:
    """One signed-in request: the official's context (as a chat turn's) and the session."""

    ctx: Context
    session_row: ConsoleSession
    csrf: str
    language: str


DeskHandler = Callable[[web.Request, Desk], Awaitable[web.StreamResponse]]


def csrf_of(token: str) -> str:
    """The CSRF token of a session, derived from its secret cookie token (never stored)."""
    return hashlib.sha256(f"dvk-console-csrf:{token}".encode()).hexdigest()[:40]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def secure_cookies(request: web.Request) -> bool:
    base = request.app[SETTINGS].web.public_base_url or ""
    return base.startswith("https://") or request.secure


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=int(desk.SESSION_LONGEST.total_seconds()),
                        path="/console/", httponly=True, samesite="Strict",
                        secure=secure_cookies(request))


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/console/")


def cookie_token(request: web.Request) -> str | None:
    token = request.cookies.get(COOKIE, "")
    return token if TOKEN.match(token) else None


def sign_in_page(request: web.Request, *, status: int = 401, reason: str = "signin.needed"
                 ) -> web.Response:
    response = render_page(request, "console/signin.html", language=page_language(request),
                           status=status, reason=reason, desk=None)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _posted_csrf(request: web.Request) -> str:
    if header := request.headers.get(CSRF_HEADER):
        return header
    if request.content_type == "multipart/form-data":  # the CSRF field comes first
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != CSRF_FIELD:
            return ""
        request[MULTIPART] = reader
        return await small_text(part, limit=128)
    if request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def small_text(part: BodyPartReader, *, limit: int = 16_384) -> str:
    """A text field of a multipart form, read whole but never more than `limit` bytes (a
    longer one is cut there, and the chat's own checks then say it is too long)."""
    data = b""
    while len(data) <= limit and (chunk := await part.read_chunk()):
        data += chunk
    return data[:limit].decode("utf-8", "replace")


def official_page(handler: DeskHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Run `handler` for a live official session, in one transaction with its actions, their
    audit rows and the notices they queue; the sign-in page otherwise."""

    async def run(request: web.Request) -> web.StreamResponse:
        token = cookie_token(request)
        if token is None:
            return sign_in_page(request)
        services = request.app[SERVICES]
        now = to_db(services.clock.now())
        async with request.app[DB].session() as session:
            found = await console_sessions.live_session(
                session, token=token, now=now, idle=desk.SESSION_IDLE,
                longest=desk.SESSION_LONGEST)
            if found is None:
                await session.commit()
                expired = sign_in_page(request, reason="signin.expired")
                clear_session_cookie(expired)
                return expired
            row, person = found
            language = page_language(request)
            ctx = desk.desk_context(session, services, person, language=language,
                                    request_id=uuid.uuid4().hex)
            if official_scope(ctx) is None:  # the role was removed: every session ends
                await console_sessions.end_sessions_of(session, person_id=person.id or 0)
                await session.commit()
                log.info("console session ended: no longer an official",
                         extra={"person_id": person.id})
                refused = sign_in_page(request)
                clear_session_cookie(refused)
                return refused
            csrf = csrf_of(token)
            if request.method not in ("GET", "HEAD") and not secrets.compare_digest(
                    await _posted_csrf(request), csrf):
                log.warning("console request refused: no valid CSRF token", extra={
                    "person_id": person.id, "path": request.path[:80]})
                await session.rollback()
                return render_page(request, "console/error.html", language=language,
                                   status=403, reason="error.csrf", desk=None)
            await console_sessions.touch(session, row, now=now)
            response = await handler(request, Desk(ctx, row, csrf, language))
            told = await desk.finish(ctx)
            await session.commit()
        if told and (wake := request.app.get(WAKE_OUTBOX)) is not None:
            wake()
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return run
