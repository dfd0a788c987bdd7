"""The web chat: a third channel adapter beside Telegram, so anyone can use every flow without
an app. The page posts what the person does; `chat_events` turns it into neutral events; the
same `Engine` that serves Telegram answers; `chat_render` turns the replies into HTML.

Events of one browser session are handled one at a time, in arrival order; sessions proceed
concurrently. Each session, and each address opening new sessions, has a per-minute limit.
What the bot says on its own (notices from the outbox) the page fetches from `/chat/notices`
(`chat_notices`) when it opens and every `NOTICE_POLL_SECONDS` while it stays open.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.ordering import ChatLocks
from bot.web.chat_events import (
    SESSION_COOKIE,
    SESSION_DAYS,
    BadEvent,
    ChatSession,
    event_id,
    existing_session,
    new_session,
    to_event,
)
from bot.web.chat_notices import unseen_replies
from bot.web.chat_render import notice, render_replies, reply_views
from bot.web.chat_upload import MAX_PHOTOS_PER_UPLOAD, streamed_upload
from bot.web.keys import DB, SERVICES, SETTINGS
from bot.web.ratelimit import SlidingWindowLimiter
from bot.web.templating import page_language, render_page
from handlers.engine import Engine
from handlers.events import ChoiceEvent, CommandEvent, Event, PhotoEvent, Sender, UnsupportedEvent
from handlers.i18n import LANGUAGES, Translator
from handlers.replies import Reply, TextReply
from storage.media import MediaRejected, MediaStore
from storage.province_centres import VIETNAM_BBOX

CSRF_HEADER = "X-DVK-Chat"
NOTICE_POLL_SECONDS = 25
_NOTICE_ID = re.compile(r"^\d{1,12}$")


class WebChat:
    def __init__(self, engine: Engine, media: MediaStore, *, rate_per_minute: int,
                 secure_cookies: bool) -> None:
        self.engine = engine
        self.media = media
        self.secure_cookies = secure_cookies
        self.per_session = SlidingWindowLimiter(rate_per_minute)
        self.new_sessions_per_address = SlidingWindowLimiter(rate_per_minute)
        # polls for notices have their own budget: they never use up what a person may do
        self.polls_per_session = SlidingWindowLimiter(rate_per_minute)
        self._chats = ChatLocks()

    def admit(self, request: web.Request, session: ChatSession, cost: int = 1) -> bool:
        if session.is_new and not self.new_sessions_per_address.allow(request.remote or "?"):
            return False
        return self.per_session.allow(session.chat_id, cost)

    async def handle(self, sender: Sender, events: list[Event]) -> list[Reply]:
        """Handle one action (several photos of one upload count as an album): warnings about
        rejected files are kept, otherwise only the last event's replies are shown."""
        warnings: list[Reply] = []
        last: list[Reply] = []
        async with self._chats.hold(sender.chat_id):
            for event in events:
                replies = await self.engine.handle(event)
                if isinstance(event, UnsupportedEvent):
                    warnings += replies
                else:
                    last = replies
        return warnings + last

    async def switch_language(self, sender: Sender, language: str) -> list[Reply]:
        """Change the person's language the way they would: /language, then pick it."""
        async with self._chats.hold(sender.chat_id):
            asked = await self.engine.handle(
                CommandEvent(sender, name="language", update_id=_internal_id(sender)))
            for reply in asked:
                if isinstance(reply, TextReply) and any(o.value == language
                                                        for o in reply.options):
                    return await self.engine.handle(ChoiceEvent(
                        sender, token=reply.token or "", value=language,
                        update_id=_internal_id(sender)))
        return []

CHAT = web.AppKey("web_chat", WebChat)


def _internal_id(sender: Sender) -> str:
    return f"{sender.chat_id}:page:{uuid.uuid4().hex[:16]}"


# -- routes ----------------------------------------------------------------------------------


async def chat_page(request: web.Request) -> web.Response:
    language = page_language(request)
    t = Translator(language)
    settings = request.app[SETTINGS]
    config: dict[str, Any] = {
        "lang": language,
        "tileUrl": settings.map_tile_url,
        "tileAttribution": settings.map_tile_attribution,
        "bounds": list(VIETNAM_BBOX),
        "maxPhotos": MAX_PHOTOS_PER_UPLOAD,
        "noticePollSeconds": NOTICE_POLL_SECONDS,
        "text": {key: t(f"web.chat.{key}") for key in
                 ("you_photos", "you_location", "geo_failed", "network_error",
                  "too_many_photos")},
    }
    return render_page(request, "chat.html", language=language, config=config)


async def post_event(request: web.Request) -> web.Response:
    _require_page_header(request)
    try:
        payload = await request.json()
    except ValueError:
        raise _bad_request("body must be JSON") from None
    if not isinstance(payload, dict):
        raise _bad_request("body must be a JSON object")
    chat, language = request.app[CHAT], page_language(request)
    session = existing_session(request) or new_session()
    try:
        action_id = event_id(payload.get("id"))
        sender = session.sender(language)
        event = to_event(payload, sender, f"{session.chat_id}:{action_id}")
    except BadEvent as problem:
        raise _bad_request(str(problem)) from None
    if not chat.admit(request, session):
        return await _rate_limited(request, language)
    if session.is_new and language != request.app[SETTINGS].default_language:
        await chat.switch_language(sender, language)
    return await _answer(request, session, language, await chat.handle(sender, [event]))


async def post_photos(request: web.Request) -> web.Response:
    _require_page_header(request)
    chat, language = request.app[CHAT], page_language(request)
    session = existing_session(request) or new_session()
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
            events = [await _photo_event(chat.media, sender, path, album,
                                         f"{session.chat_id}:{action_id}:{index}")
                      for index, path in enumerate(files)]
    except BadEvent as problem:
        raise _bad_request(str(problem)) from None
    if session.is_new and language != request.app[SETTINGS].default_language:
        await chat.switch_language(sender, language)
    return await _answer(request, session, language, await chat.handle(sender, events))


async def get_notices(request: web.Request) -> web.Response:
    """Notices for this session's chat that its page has not shown yet. `shown`, the highest
    notice id already on the page, acknowledges those (see `chat_notices`)."""
    _require_page_header(request)
    shown = request.query.get("shown", "0")
    if not _NOTICE_ID.match(shown):
        raise _bad_request("shown must be a notice id (digits)")
    session = existing_session(request)
    if session is None:  # no chat yet, so nothing was ever sent to it
        return _notices("", int(shown))
    if not request.app[CHAT].polls_per_session.allow(session.chat_id):
        return _notices("", int(shown), status=429)
    found = await unseen_replies(request.app[DB], request.app[SERVICES].clock,
                                 chat_id=session.chat_id, shown=int(shown))
    views = await reply_views(found.replies, request.app[CHAT].media)
    html = render_replies(request, views, language=page_language(request), pushed=True)
    return _notices(html if views else "", found.shown)


async def post_language(request: web.Request) -> web.Response:
    """Switch the page's language and, for someone already chatting, the bot's too."""
    _require_page_header(request)
    try:
        payload = await request.json()
    except ValueError:
        raise _bad_request("body must be JSON") from None
    language = payload.get("lang") if isinstance(payload, dict) else None
    if language not in LANGUAGES:
        raise _bad_request("lang must be one of " + ", ".join(LANGUAGES))
    session = existing_session(request)
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


async def _photo_event(media: MediaStore, sender: Sender, path: Path | None,
                       album: str | None, update_id: str) -> Event:
    if path is None:
        return UnsupportedEvent(sender, what="too_large", update_id=update_id)
    try:
        stored = await asyncio.to_thread(media.save_image_file, path)
    except MediaRejected as rejected:
        return UnsupportedEvent(sender, what=rejected.reason, update_id=update_id)
    return PhotoEvent(sender, media=stored, album_id=album, update_id=update_id)


async def _answer(request: web.Request, session: ChatSession | None, language: str,
                  replies: list[Reply]) -> web.Response:
    views = await reply_views(replies, request.app[CHAT].media)
    response = web.json_response({"html": render_replies(request, views, language=language)})
    if session is not None:  # set again on every answer: 30 days from the latest action
        response.set_cookie(SESSION_COOKIE, session.token, max_age=SESSION_DAYS * 24 * 3600,
                            httponly=True, samesite="Lax",
                            secure=request.app[CHAT].secure_cookies)
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
