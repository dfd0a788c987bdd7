"""The web chat's sessions: the channel anyone can use without an app, on the bot's own web
server. The page posts what the person does (`routes`); `convert` turns it into neutral events;
`WebChat` hands them to the same `Engine` that serves Telegram and Zalo; `render` turns the
replies into HTML.

Events of one browser session are handled one at a time, in arrival order; sessions proceed
concurrently. Each session has a per-minute limit. Sessions are issued by the server only: a
cookie whose token names no session the server issued is treated as no cookie, and an address
may open only so many new sessions per minute, hour and day, so invented cookies cannot mint
people. A session's token is replaced when its person gains rights (`RightsGained`).
What the bot says on its own (notices from the outbox) the page fetches from `/chat/notices`
(`notices`) when it opens and every `NOTICE_POLL_SECONDS` while it stays open.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from aiohttp import web

from bot.channels.base import ChannelLimits
from bot.channels.inbound import Inbound
from bot.web.forwarded import Networks, came_over_https, client_address
from bot.web.ratelimit import SlidingWindowLimiter
from bot.webchat.convert import (
    MAX_TEXT_CHARS,
    SESSION_DAYS,
    ChatSession,
    cookie_session,
    new_session,
)
from bot.webchat.stores import NoticeStore, SessionStore
from handlers.clock import to_db
from handlers.engine import Engine
from handlers.events import ChoiceEvent, CommandEvent, Event, Sender
from handlers.replies import MenuReply, Reply, RightsGained, TextReply, to_payload
from storage.media import MediaStore
from storage.models import Channel

LIMITS = ChannelLimits(text_length=MAX_TEXT_CHARS, buttons_per_message=100,
                       location_button=True, contact_button=False, media_by_url=False)
"""The page shows buttons, and a button that shares the browser's location (or a map to pick
from); a phone number is typed. Photos are inlined (the media store is private)."""
CAPABILITIES = LIMITS.capabilities
CHANNEL = Channel.WEB.value
log = logging.getLogger(__name__)


class WebChat:
    def __init__(self, engine: Engine, media: MediaStore, *, sessions: SessionStore,
                 notices: NoticeStore, rate_per_minute: int,
                 new_sessions_per_hour: int, new_sessions_per_day: int,
                 trusted_proxies: Networks = (), secure_cookies: bool = False,
                 map_tiles: tuple[str | None, str] = (None, ""),
                 inbound: Inbound | None = None) -> None:
        self.engine = engine
        self.media = media
        self.sessions = sessions
        self.notices = notices
        """The sessions the server issued and the notices kept for pages (`stores`)."""
        self.map_tiles = map_tiles
        """The map the page picks a place on: tile URL (None: no tiles) and attribution."""
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
        await self.notices.add_notice(chat_id=chat_id, payload=to_payload(replies),
                                      now=to_db(self.engine.services.clock.now()))

    async def session_of(self, request: web.Request) -> ChatSession:
        """The session the cookie names, if the server issued it and it is still alive;
        otherwise a new one (counted against the address's limit by `admit`)."""
        found = cookie_session(request)
        if found is not None:
            used_since = to_db(self.engine.services.clock.now() - timedelta(days=SESSION_DAYS))
            if await self.sessions.is_issued(chat_id=found.chat_id, used_since=used_since):
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
        moved = await self.sessions.rekey(old_chat_id=session.chat_id,
                                          new_chat_id=renewed.chat_id)
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

