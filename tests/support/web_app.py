"""The bot's web server as every worker serves it: the map and API (`create_web_app`) with the
web chat attached the way the app attaches every channel (`WebChatChannel.attach`)."""

from __future__ import annotations

from aiohttp import web

from bot.channels.base import Site
from bot.web.keys import LeaderFlag, RunningFlag, ServerSettings
from bot.web.metrics import Metrics
from bot.web.server import create_web_app as create_server_app
from bot.webchat.channel import WebChatChannel
from handlers.context import Services
from handlers.engine import Engine
from settings import Settings
from storage.db import Database
from storage.repositories.web_notices import WebNoticeStore
from storage.repositories.web_sessions import WebSessionStore


def create_web_app(*, settings: Settings, db: Database, services: Services, engine: Engine,
                   metrics: Metrics, scheduler: RunningFlag | None = None,
                   leadership: LeaderFlag | None = None) -> web.Application:
    app = create_server_app(settings=ServerSettings.of(settings), db=db, services=services,
                            engine=engine, metrics=metrics, scheduler=scheduler,
                            leadership=leadership)
    WebChatChannel(settings.webchat, engine, services.media, server=settings.web,
                   sessions=WebSessionStore(db), notices=WebNoticeStore(db)).attach(app, Site())
    return app
