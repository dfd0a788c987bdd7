"""The web chat as a channel like the others (`bot.channels.base.Channel`).

Its routes live on the bot's own web server (`routes`), there is nothing to connect, and its
outbox sender keeps each notice for the chat's page (`notices`). It is always on: it needs no
platform and no credentials.
"""

from __future__ import annotations

from aiohttp import web

from bot.channels.base import Site
from bot.channels.inbound import Inbound
from bot.webchat import routes
from bot.webchat.chat import CHANNEL, CHAT, LIMITS, WebChat
from bot.webchat.notices import WebNoticeSender
from bot.webchat.stores import NoticeStore, SessionStore
from handlers.engine import Engine
from scheduler.delivery import ChannelSender
from settings import WebChatSettings, WebSettings
from storage.media import MediaStore


class WebChatChannel:
    channel = CHANNEL
    title = "Web chat"
    limits = LIMITS
    starts_after_server = False

    def __init__(self, settings: WebChatSettings, engine: Engine, media: MediaStore, *,
                 server: WebSettings, sessions: SessionStore, notices: NoticeStore,
                 inbound: Inbound | None = None) -> None:
        """`settings`: the web chat's own section; `server`: the web server it is served from
        (the proxies it believes, its public address, the map's tiles). `sessions`, `notices`:
        what it keeps of its own (`stores`, implemented by storage). `inbound`: the host's
        ordering, burst rule and processed marks (one of its own when the web server runs
        alone, as in tests)."""
        self.engine = engine
        self.chat = WebChat(
            engine, media, sessions=sessions, notices=notices,
            rate_per_minute=settings.rate_per_minute,
            new_sessions_per_hour=settings.new_sessions_per_hour,
            new_sessions_per_day=settings.new_sessions_per_day,
            trusted_proxies=server.trusted_proxies,
            secure_cookies=(server.public_base_url or "").startswith("https://"),
            map_tiles=(server.map_tile_url, server.map_tile_attribution),
            inbound=inbound)

    def attach(self, web_app: web.Application, site: Site) -> None:
        web_app[CHAT] = self.chat
        routes.setup_routes(web_app)

    async def start(self) -> None:
        """Nothing to connect: the page talks to our own server."""

    async def stop(self) -> None:
        """Nothing to close."""

    def outbox_sender(self, *, timeout: float, connections: int) -> ChannelSender:
        return WebNoticeSender(self.chat.notices, self.engine.services.clock)
