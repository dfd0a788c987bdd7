"""The web chat: a third channel adapter beside Telegram, so anyone can use every flow without
an app. The page posts what the person does; `chat_events` turns it into neutral events; the
same `Engine` that serves Telegram answers; `chat_render` turns the replies into HTML.

Events of one browser session are handled one at a time, in arrival order; sessions proceed
concurrently. Each session has a per-minute limit. Sessions are issued by the server only: a
cookie whose token names no session the server issued is treated as no cookie, and an address
may open only so many new sessions per minute, hour and day, so invented cookies cannot mint
people. A session's token is replaced when its person gains rights (`RightsGained`).
What the bot says on its own (notices from the outbox) the page fetches from `/chat/notices`
(`chat_notices`) when it opens and every `NOTICE_POLL_SECONDS` while it stays open.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.inbound import Inbound
from bot.web.chat_events import (
    SESSION_COOKIE,
    SESSION_DAYS,
    BadEvent,
    ChatSession,
    cookie_session,
    event_id,
    new_session,
    to_event,
)
from bot.web.chat_notices import unseen_replies
from bot.web.chat_render import notice, render_replies, reply_views
from bot.web.chat_upload import MAX_PHOTOS_PER_UPLOAD, streamed_upload
from bot.web.forwarded import Networks, came_over_https, client_address
from bot.web.json_body import json_body
from bot.web.keys import DB, SERVICES, SETTINGS
from bot.web.ratelimit import SlidingWindowLimiter
from bot.web.templating import page_language, render_page
from handlers.clock import to_db
from handlers.engine import Engine
from handlers.events import (
    ChoiceEvent,
    CommandEvent,
    Event,
    PhotoEvent,
    Sender,
    TextEvent,
    UnsupportedEvent,
    VideoEvent,
    VoiceEvent,
)
from handlers.i18n import LANGUAGES, Capabilities, Translator
from handlers.replies import MenuReply, Reply, RightsGained, TextReply, to_payload
from storage.media import MediaRejected, MediaStore
from storage.models import Channel
from storage.province_centres import VIETNAM_BBOX
from storage.repositories import web_notices, web_sessions

CAPABILITIES = Capabilities(buttons=True, location_button=True, contact_button=False)
"""The page shows buttons, and a button that shares the browser's location (or a map to pick
from); a phone number is typed."""
CHANNEL = Channel.WEB.value
CSRF_HEADER = "X-DVK-Chat"
NOTICE_POLL_SECONDS = 25
_NOTICE_ID = re.compile(r"^\d{1,12}$")
log = logging.getLogger(__name__)


class WebChat:
    def __init__(self, engine: Engine, media: MediaStore, *, rate_per_minute: int,
                 new_sessions_per_hour: int, new_sessions_per_day: int,
                 trusted_proxies: Networks = (), secure_cookies: bool = False,
                 inbound: Inbound | None = None) -> None:
        self.engine = engine
        self.media = media
        self.secure_cookies = secure_cookies
        """Always mark the cookie Secure (the public address is https)."""
        self.trusted_proxies = trusted_proxies
        self.per_session = SlidingWindowLimiter(rate_per_minute)
        self.new_sessions_per_address = (
            SlidingWindowLimiter(rate_per_minute),
            SlidingWindowLimiter(new_sessions_per_hour, window_seconds=3600),
            SlidingWindowLimiter(new_sessions_per_day, window_seconds=24 * 3600))
        # polls for notices have their own budget: they never use up what a person may do
        self.polls_per_session = SlidingWindowLimiter(rate_per_minute)
        # The host's order per chat; what the bot says later (a held text's answer) is kept
        # for the chat's page, which asks for it (`held` in the answer that held the text).
        inbound = inbound or Inbound(engine.services.clock)
        self.lane = inbound.lane(CHANNEL, engine, self._keep_for_page)

    async def _keep_for_page(self, chat_id: str, replies: list[Reply]) -> None:
        replies = [r for r in replies if not isinstance(r, MenuReply | RightsGained)]
        if not replies:
            return
        async with self.engine.db.session() as session:
            await web_notices.add_notice(session, chat_id=chat_id, payload=to_payload(replies),
                                         now=to_db(self.engine.services.clock.now()))
            await session.commit()

    async def session_of(self, request: web.Request) -> ChatSession:
        """The session the cookie names, if the server issued it and it is still alive;
        otherwise a new one (counted against the address's limit by `admit`)."""
        found = cookie_session(request)
        if found is not None:
            used_since = to_db(self.engine.services.clock.now() - timedelta(days=SESSION_DAYS))
            async with self.engine.db.reading() as db_session:
                if await web_sessions.is_issued(db_session, chat_id=found.chat_id,
                                                used_since=used_since):
                    return found
            log.info("web chat cookie names no session: a new one is issued")
        return new_session()

    def address(self, request: web.Request) -> str:
        return client_address(request, self.trusted_proxies)

    def secure(self, request: web.Request) -> bool:
        return self.secure_cookies or came_over_https(request, self.trusted_proxies)

    def admit(self, request: web.Request, session: ChatSession, cost: int = 1) -> bool:
        if session.is_new:
            address = self.address(request)
            limits = self.new_sessions_per_address
            if not all(limit.fits(address) for limit in limits):
                # the address stays out of the log: it is the visitor's personal data
                log.warning("new web chat sessions refused: address over its limit")
                return False
            for limit in limits:
                limit.allow(address)
        return self.per_session.allow(session.chat_id, cost)

    async def handle(self, session: ChatSession, sender: Sender,
                     events: list[Event]) -> tuple[list[Reply], ChatSession]:
        """Handle one action, in the chat's order: the photos of one upload arrive together, so
        they get one answer (the host's burst rule, bot/channels/inbound.py). The page gets
        the answer in the response. Returns the session to keep: a new token when the person
        gained rights."""
        async with self.lane.ordered(sender.chat_id):
            replies = await self.lane.compose(events, keep_answer=True)
            if any(isinstance(reply, RightsGained) for reply in replies):
                session = await self._rotate(session)
        return [r for r in replies if not isinstance(r, RightsGained)], session

    async def _rotate(self, session: ChatSession) -> ChatSession:
        """The same chat under a new token; the old one names nothing from now on."""
        renewed = new_session()
        async with self.engine.db.session() as db_session:
            moved = await web_sessions.rekey(db_session, old_chat_id=session.chat_id,
                                             new_chat_id=renewed.chat_id)
            await db_session.commit()
        if not moved:
            return session
        log.info("web chat session token rotated: the person gained rights")
        return ChatSession(renewed.token, is_new=False)

    async def switch_language(self, sender: Sender, language: str) -> list[Reply]:
        """Change the person's language the way they would: /language, then pick it."""
        async with self.lane.ordered(sender.chat_id):
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
        "tileUrl": settings.web.map_tile_url,
        "tileAttribution": settings.web.map_tile_attribution,
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
    if session.is_new and language != request.app[SETTINGS].flows.default_language:
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
            events = [await _photo_event(chat.media, sender, path, album,
                                         f"{session.chat_id}:{action_id}:{index}")
                      for index, path in enumerate(files)]
    except BadEvent as problem:
        raise _bad_request(str(problem)) from None
    if session.is_new and language != request.app[SETTINGS].flows.default_language:
        await chat.switch_language(sender, language)
    replies, session = await chat.handle(session, sender, events)
    return await _answer(request, session, language, replies)


async def post_voice(request: web.Request) -> web.Response:
    """One voice note (a file the phone recorded, or the page's recorder), as a voice message
    on the other channels: kept clean, or refused with the caps."""
    return await _post_one(request, "voice", request.app[CHAT].media.max_voice_bytes,
                           _voice_event)


async def post_video(request: web.Request) -> web.Response:
    """One short video (the phone's camera or a file), as a video on Telegram: kept clean
    with a poster frame, or refused with the caps."""
    return await _post_one(request, "video", request.app[CHAT].media.max_video_bytes,
                           _video_event)


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
    if session.is_new and language != request.app[SETTINGS].flows.default_language:
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
    found = await unseen_replies(request.app[DB], request.app[SERVICES].clock,
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


async def _photo_event(media: MediaStore, sender: Sender, path: Path | str,
                       album: str | None, update_id: str) -> Event:
    if isinstance(path, str):  # not kept: why
        return UnsupportedEvent(sender, what=path, update_id=update_id)
    try:
        stored = await asyncio.to_thread(media.save_image_file, path)
    except MediaRejected as rejected:
        return UnsupportedEvent(sender, what=rejected.reason, update_id=update_id)
    return PhotoEvent(sender, media=stored, album_id=album, update_id=update_id)


async def _voice_event(media: MediaStore, sender: Sender, path: Path | str,
                       update_id: str) -> Event:
    if isinstance(path, str):  # not kept: why ("too_large" is over the voice cap here)
        reason = "voice_too_large" if path == "too_large" else path
        return UnsupportedEvent(sender, what=reason, update_id=update_id)
    try:
        stored = await asyncio.to_thread(media.save_voice_file, path)
    except MediaRejected as rejected:
        return UnsupportedEvent(sender, what=rejected.reason, update_id=update_id)
    return VoiceEvent(sender, media=stored, update_id=update_id)


async def _video_event(media: MediaStore, sender: Sender, path: Path | str,
                       update_id: str) -> Event:
    if isinstance(path, str):  # not kept: why ("too_large" is over the video cap here)
        reason = "video_too_large" if path == "too_large" else path
        return UnsupportedEvent(sender, what=reason, update_id=update_id)
    try:
        stored = await asyncio.to_thread(media.save_video_file, path)
    except MediaRejected as rejected:
        return UnsupportedEvent(sender, what=rejected.reason, update_id=update_id)
    return VideoEvent(sender, media=stored, update_id=update_id)


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
