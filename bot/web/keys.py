"""Typed keys for what the web application shares between its handlers.

Each long-lived collaborator is put on the `web.Application` once, by `create_web_app`, and read
back with these keys; handlers never reach for module globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from jinja2 import Environment

from bot.web.map_answers import MapAnswers
from bot.web.ratelimit import SlidingWindowLimiter
from bot.web.single_flight import SingleFlight
from handlers.context import Services
from handlers.engine import Engine
from settings import FlowSettings, MetricsSettings, SchedulerSettings, Settings, WebSettings
from storage.db import Database


class RunningFlag(Protocol):
    """Anything with a `running` attribute, like an APScheduler scheduler."""

    running: Any


class LeaderFlag(Protocol):
    """Is this worker the leader, and what is it called (bot/leadership.py)."""

    leader: Any
    worker: str


class HealthSource(Protocol):
    """A channel's own health for /healthz (Zalo OA: its access token). A report whose
    "token" is not "ok" makes the answer "degraded", still 200."""

    def health(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ServerSettings:
    """What the web server reads of the settings, and nothing more: its own section, /metrics',
    the flows' language and categories (pages, Open311), the scheduler's deadlines (the
    console's overdue marks) and the Telegram bot's public @username (links to it), never a
    platform's token or secret. Each channel gets its own section where it is built."""

    web: WebSettings
    metrics: MetricsSettings
    flows: FlowSettings
    scheduler: SchedulerSettings
    telegram_username: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> ServerSettings:
        return cls(web=settings.web, metrics=settings.metrics, flows=settings.flows,
                   scheduler=settings.scheduler, telegram_username=settings.telegram.bot_username)


SETTINGS = web.AppKey("settings", ServerSettings)
DB = web.AppKey("db", Database)
MAP_FLIGHTS = web.AppKey("map_flights", SingleFlight[str])
"""GeoJSON answers being computed, by query (bot/web/single_flight.py)."""
MAP_ANSWERS = web.AppKey("map_answers", MapAnswers)
"""GeoJSON answers kept until the public map changes (bot/web/map_answers.py)."""
OPEN311_LIMITS = web.AppKey("open311_limits", SlidingWindowLimiter)
"""Open311 POSTs per API key per minute, and refused keys per address (bot/web/open311.py)."""
SERVICES = web.AppKey("services", Services)
ENGINE = web.AppKey("engine", Engine)
"""What a route that stores on its own (an Open311 filing) wakes the outbox through."""
TEMPLATES = web.AppKey("templates", Environment)
SCHEDULER: web.AppKey[RunningFlag | None] = web.AppKey("scheduler")
LEADERSHIP: web.AppKey[LeaderFlag | None] = web.AppKey("leadership")
EMBEDDABLE = web.RequestKey("embeddable", bool)
"""Set by a handler whose page other sites may frame (/embed); every other page may not."""
CHANNEL_HEALTH: web.AppKey[dict[str, HealthSource]] = web.AppKey("channel_health")
"""Channels that report their own health, by name; set as each channel attaches."""
