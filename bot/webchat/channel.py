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
from handlers.engine import Engine
from scheduler.delivery import ChannelSender
from settings import Settings
from storage.media import MediaStore


class WebChatChannel:
    channel = CHANNEL
    title = "Web chat"
    limits = LIMITS
    starts_after_server = False

    def __init__(self, settings: Settings, engine: Engine, media: MediaStore, *,
                 inbound: Inbound | None = None) -> None:
        """`inbound`: the host's ordering, burst rule and processed marks (one of its own when
        the web server runs alone, as in tests)."""
        self.engine = engine
        self.chat = WebChat(
            engine, media, rate_per_minute=settings.web_chat_rate_per_minute,
            new_sessions_per_hour=settings.web_chat_new_sessions_per_hour,
            new_sessions_per_day=settings.web_chat_new_sessions_per_day,
            trusted_proxies=settings.trusted_proxy_networks,
            secure_cookies=(settings.public_base_url or "").startswith("https://"),
            inbound=inbound)

    def attach(self, web_app: web.Application, site: Site) -> None:
        web_app[CHAT] = self.chat
        routes.setup_routes(web_app)

    async def start(self) -> None:
        """Nothing to connect: the page talks to our own server."""

    async def stop(self) -> None:
        """Nothing to close."""

    def outbox_sender(self, *, timeout: float, connections: int) -> ChannelSender:
        return WebNoticeSender(self.engine.db, self.engine.services.clock)
