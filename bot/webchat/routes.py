"""The web chat's routes: the page, and what the page posts (an action, photos, a voice note,
a language) or asks for (notices the bot sent on its own)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.web.json_body import json_body
from bot.web.keys import SERVICES
from bot.web.templating import page_language, render_page
from bot.webchat.chat import CHAT
from bot.webchat.convert import (
    SESSION_COOKIE,
    SESSION_DAYS,
    BadEvent,
    ChatSession,
    cookie_session,
    event_id,
    photo_event,
    to_event,
    video_event,
    voice_event,
)
from bot.webchat.notices import unseen_replies
from bot.webchat.render import notice, render_replies, reply_views
from bot.webchat.upload import MAX_PHOTOS_PER_UPLOAD, streamed_upload
from handlers.events import Event, Sender, TextEvent
from handlers.i18n import LANGUAGES, Translator
from handlers.replies import Reply
from storage.media import MediaStore
from storage.province_centres import VIETNAM_BBOX

CSRF_HEADER = "X-DVK-Chat"
NOTICE_POLL_SECONDS = 25
_NOTICE_ID = re.compile(r"^\d{1,12}$")


def setup_routes(app: web.Application) -> None:
    """The chat's page and its calls, on the bot's own server."""
    add = app.router
    add.add_get("/chat", chat_page, name="chat")
    add.add_post("/chat/events", post_event)
    add.add_post("/chat/photos", post_photos)
    add.add_post("/chat/voice", post_voice)
    add.add_post("/chat/video", post_video)
    add.add_post("/chat/language", post_language)
    add.add_get("/chat/notices", get_notices)


async def chat_page(request: web.Request) -> web.Response:
    language = page_language(request)
    t = Translator(language)
    tile_url, tile_attribution = request.app[CHAT].map_tiles
    config: dict[str, Any] = {
        "lang": language,
        "tileUrl": tile_url,
        "tileAttribution": tile_attribution,
        "bounds": list(VIETNAM_BBOX),
        "maxPhotos": MAX_PHOTOS_PER_UPLOAD,
        "noticePollSeconds": NOTICE_POLL_SECONDS,
        "text": {key: t(f"web.chat.{key}") for key in
                 ("you_photos", "you_location", "geo_failed", "network_error",
                  "too_many_photos", "you_voice", "you_video")},
    }
    return render_page(request, "chat.html", language=language, config=config)


async def post_event(request: web.Request) -> web.Response:
    _require_page_header(request)
    payload = await json_body(request)
    if not isinstance(payload, dict):
        raise _bad_request("body must be a JSON object")
    chat, language = request.app[CHAT], page_language(request)
    session = await chat.session_of(request)
    try:
        action_id = event_id(payload.get("id"))
        sender = session.sender(language)
        event = to_event(payload, sender, f"{session.chat_id}:{action_id}")
    except BadEvent as problem:
        raise _bad_request(str(problem)) from None
    if not chat.admit(request, session):
        return await _rate_limited(request, language)
    if session.is_new and language != chat.engine.services.default_language:
        await chat.switch_language(sender, language)
    replies, session = await chat.handle(session, sender, [event])
    held = not replies and isinstance(event, TextEvent)  # or an action sent twice: harmless
    return await _answer(request, session, language, replies, held=held)


async def post_photos(request: web.Request) -> web.Response:
    _require_page_header(request)
    chat, language = request.app[CHAT], page_language(request)
    session = await chat.session_of(request)
    limit = chat.media.max_image_bytes
    if request.content_length and request.content_length > (limit + 65536) * MAX_PHOTOS_PER_UPLOAD:
        raise web.HTTPRequestEntityTooLarge(max_size=limit * MAX_PHOTOS_PER_UPLOAD,
                                            actual_size=request.content_length)
    try:
        async with streamed_upload(request, chat.media) as upload:
            action_id, files = event_id(upload.action_id), upload.files
            if not files:
                raise BadEvent("no photo in the upload")
            if not chat.admit(request, session, cost=len(files)):
                return await _rate_limited(request, language)
            sender = session.sender(language)
            album = f"web-{action_id}" if len(files) > 1 else None
            events = [await photo_event(chat.media, sender, path, album,
                                         f"{session.chat_id}:{action_id}:{index}")
                      for index, path in enumerate(files)]
    except BadEvent as problem:
        raise _bad_request(str(problem)) from None
    if session.is_new and language != chat.engine.services.default_language:
        await chat.switch_language(sender, language)
    replies, session = await chat.handle(session, sender, events)
    return await _answer(request, session, language, replies)


async def post_voice(request: web.Request) -> web.Response:
    """One voice note (a file the phone recorded, or the page's recorder), as a voice message
    on the other channels: kept clean, or refused with the caps."""
    return await _post_one(request, "voice", request.app[CHAT].media.max_voice_bytes,
                           voice_event)


async def post_video(request: web.Request) -> web.Response:
    """One short video (the phone's camera or a file), as a video on Telegram: kept clean
    with a poster frame, or refused with the caps."""
    return await _post_one(request, "video", request.app[CHAT].media.max_video_bytes,
                           video_event)


MakeEvent = Callable[[MediaStore, Sender, Path | str, str], Awaitable[Event]]


async def _post_one(request: web.Request, part_name: str, limit: int,
                    make: MakeEvent) -> web.Response:
    _require_page_header(request)
    chat, language = request.app[CHAT], page_language(request)
    session = await chat.session_of(request)
    if request.content_length and request.content_length > 2 * limit + 65536:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    try:
        async with streamed_upload(request, chat.media, part_name=part_name, max_files=1,
                                   max_bytes=limit) as upload:
            action_id, files = event_id(upload.action_id), upload.files
            if not files:
                raise BadEvent(f"no {part_name} in the upload")
            if not chat.admit(request, session):
                return await _rate_limited(request, language)
            sender = session.sender(language)
            event = await make(chat.media, sender, files[0], f"{session.chat_id}:{action_id}")
    except BadEvent as problem:
        raise _bad_request(str(problem)) from None
    if session.is_new and language != chat.engine.services.default_language:
        await chat.switch_language(sender, language)
    replies, session = await chat.handle(session, sender, [event])
    return await _answer(request, session, language, replies)


async def get_notices(request: web.Request) -> web.Response:
    """Notices for this session's chat that its page has not shown yet. `shown`, the highest
    notice id already on the page, acknowledges those (see `chat_notices`)."""
    _require_page_header(request)
    shown = request.query.get("shown", "0")
    if not _NOTICE_ID.match(shown):
        raise _bad_request("shown must be a notice id (digits)")
    session = cookie_session(request)
    if session is None:  # no chat yet, so nothing was ever sent to it
        return _notices("", int(shown))
    if not request.app[CHAT].polls_per_session.allow(session.chat_id):
        return _notices("", int(shown), status=429)
    found = await unseen_replies(request.app[CHAT].notices, request.app[SERVICES].clock,
                                 chat_id=session.chat_id, shown=int(shown))
    views = await reply_views(found.replies, request.app[CHAT].media)
    html = render_replies(request, views, language=page_language(request), pushed=True)
    return _notices(html if views else "", found.shown)


async def post_language(request: web.Request) -> web.Response:
    """Switch the page's language and, for someone already chatting, the bot's too."""
    _require_page_header(request)
    payload = await json_body(request)
    language = payload.get("lang") if isinstance(payload, dict) else None
    if language not in LANGUAGES:
        raise _bad_request("lang must be one of " + ", ".join(LANGUAGES))
    session: ChatSession | None = await request.app[CHAT].session_of(request)
    if session is not None and session.is_new:
        session = None  # no chat yet: only the page's language changes
    replies: list[Reply] = []
    if session is not None:
        if not request.app[CHAT].admit(request, session, cost=2):
            return await _rate_limited(request, language)
        replies = await request.app[CHAT].switch_language(session.sender(language), language)
    response = await _answer(request, session, language, replies)
    response.set_cookie("dvk_lang", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


# -- helpers ---------------------------------------------------------------------------------


def _require_page_header(request: web.Request) -> None:
    """Only our page sends this header; a cross-site form or fetch cannot (CSRF guard)."""
    if request.headers.get(CSRF_HEADER) != "1":
        raise web.HTTPForbidden(text='{"error": "missing X-DVK-Chat header"}',
                                content_type="application/json")


def _bad_request(detail: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": detail}), content_type="application/json")


async def _answer(request: web.Request, session: ChatSession | None, language: str,
                  replies: list[Reply], *, held: bool = False) -> web.Response:
    views = await reply_views(replies, request.app[CHAT].media)
    body: dict[str, Any] = {"html": render_replies(request, views, language=language)}
    if held:  # a text waiting for its further parts: its answer comes as a notice
        body["held"] = request.app[SERVICES].text_join_window.total_seconds()
    response = web.json_response(body)
    if session is not None:  # set again on every answer: 30 days from the latest action
        response.set_cookie(SESSION_COOKIE, session.token, max_age=SESSION_DAYS * 24 * 3600,
                            httponly=True, samesite="Lax",
                            secure=request.app[CHAT].secure(request))
    return response


def _notices(html: str, shown: int, status: int = 200) -> web.Response:
    headers = {"Cache-Control": "no-store"}
    if status == 429:
        headers["Retry-After"] = "60"
    return web.json_response({"html": html, "shown": shown}, status=status, headers=headers)


async def _rate_limited(request: web.Request, language: str) -> web.Response:
    html = render_replies(request, [notice(Translator(language)("web.chat.rate_limited"))],
                          language=language)
    return web.json_response({"html": html}, status=429, headers={"Retry-After": "60"})
