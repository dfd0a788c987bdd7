"""The one aiohttp server: an app factory, the list of routes, and a runner to start and stop it.

`create_web_app` takes every collaborator explicitly, so a test builds the real app in one line
and the product wires it in `bot/app.py`. Of the settings it takes only the sections it reads
(`ServerSettings`); the channels attach their own routes, each built from its own section.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

from aiohttp import web

from bot.web import api, health, metrics, openapi, poster_pages, press, privacy
from bot.web import map as map_pages
from bot.web.api import PRACTICE_CODE
from bot.web.caching import conditional_get
from bot.web.console.auth import WAKE_OUTBOX
from bot.web.keys import (
    DB,
    EMBEDDABLE,
    ENGINE,
    LEADERSHIP,
    MAP_ANSWERS,
    MAP_FLIGHTS,
    OPEN311_LIMITS,
    SCHEDULER,
    SERVICES,
    SETTINGS,
    TEMPLATES,
    LeaderFlag,
    RunningFlag,
    ServerSettings,
)
from bot.web.map_answers import MapAnswers
from bot.web.metrics import METRICS, METRICS_PORTS, Metrics
from bot.web.ratelimit import SlidingWindowLimiter
from bot.web.single_flight import SingleFlight
from bot.web.templating import STATIC_DIR, environment
from handlers.context import Services
from handlers.engine import Engine
from storage.db import Database

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_web_app(
    *,
    settings: ServerSettings,
    db: Database,
    services: Services,
    engine: Engine,
    metrics: Metrics,
    scheduler: RunningFlag | None = None,
    leadership: LeaderFlag | None = None,
) -> web.Application:
    app = web.Application(middlewares=[json_api_errors, security_headers, conditional_get])
    app[SETTINGS] = settings
    app[DB] = db
    app[MAP_FLIGHTS] = SingleFlight()
    app[MAP_ANSWERS] = MapAnswers()
    app[OPEN311_LIMITS] = SlidingWindowLimiter(settings.web.open311_posts_per_minute)
    app[SERVICES] = services
    app[ENGINE] = engine
    app[METRICS] = metrics
    app[METRICS_PORTS] = set()
    app[SCHEDULER] = scheduler
    app[LEADERSHIP] = leadership
    app[TEMPLATES] = environment(services.tz)
    app[WAKE_OUTBOX] = lambda: engine.on_notices() if engine.on_notices else None
    setup_routes(app)
    return app


def setup_routes(app: web.Application) -> None:
    """Every URL the server answers, in one list."""
    code = f"{{code:{PRACTICE_CODE}}}"
    add = app.router
    # The digital map and a practice's own page.
    add.add_get("/", map_pages.map_page, name="map")
    add.add_get("/embed", map_pages.embed_page)
    add.add_get(f"/practices/{code}", map_pages.practice_page, name="practice")
    add.add_get(f"/practices/{code}/popup", map_pages.practice_popup)
    # For the press and sharing: link-preview card images and Atom feeds (bot/web/press.py).
    add.add_get(f"/practices/{code}/card.png", press.card_image)
    add.add_get("/feed.atom", press.feed)
    add.add_get(r"/feed/{province:\d{2}}.atom", press.feed)
    # Printables: a practice's plaque, a commune's or province's poster (bot/posters.py).
    add.add_get(f"/practices/{code}/plaque.pdf", poster_pages.practice_plaque)
    add.add_get(f"/posters/{{unit:{poster_pages.UNIT_CODE}}}.pdf", poster_pages.unit_poster)
    # The public JSON API (described at /api/openapi.json).
    add.add_get("/api/openapi.json", openapi.openapi_document)
    add.add_get("/api/practices.geojson", api.practices_geojson)
    add.add_get(f"/api/practices/{code}", api.practice_detail)
    add.add_get("/api/provinces", api.provinces)
    add.add_get(r"/api/provinces/{code:\d{2}}/communes", api.communes)
    add.add_get("/api/units/search", api.search_units)
    add.add_get(r"/api/photos/{photo_id:[1-9]\d{0,11}}/{size:thumb|large|hq}.jpg", api.photo)
    add.add_get(r"/api/update-photos/{photo_id:[1-9]\d{0,11}}/{size:thumb|large}.jpg",
                api.update_photo)
    add.add_get(r"/api/videos/{video_id:[1-9]\d{0,11}}.mp4", api.video)
    add.add_get(r"/api/videos/{video_id:[1-9]\d{0,11}}/poster.jpg", api.video_poster)
    add.add_get("/privacy", privacy.privacy_page, name="privacy")
    # Printable guides for leaders, citizens and officials (/huong-dan/, /guide/).
    from bot.web import guides  # beside its routes, so the import list stays as others edit it

    guides.setup_routes(app)
    # Open data: published feedback as Open311 GeoReport v2, and partners' filing (POST).
    from bot.web import open311

    open311.setup_routes(app)
    # The officials' console (bot/web/console/): sign-in by a one-time link, inbox, records.
    from bot.web.console import routes as console_routes  # beside its routes, as guides above

    console_routes.setup_routes(app)
    # Operations.
    add.add_get("/healthz", health.healthz)
    add.add_get("/metrics", metrics.metrics_endpoint)
    # Each channel adds its own routes: webhooks, media links, and the web chat's page and
    # calls (bot/webchat/routes.py), through bot/channels/host.py.
    add.add_static("/static/", STATIC_DIR)


@web.middleware
async def json_api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API clients get errors as JSON ({"error": ...}), not as HTML or plain text."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if (error.status < 400 or not request.path.startswith("/api/")
                or error.content_type == "application/json"):
            raise
        headers = {key: value for key, value in error.headers.items()
                   if key.lower() not in ("content-type", "content-length")}
        return web.json_response({"error": error.reason}, status=error.status, headers=headers)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    tiles = tile_origin(request.app[SETTINGS].web.map_tile_url)
    framing = "*" if request.get(EMBEDDABLE) else "'none'"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob: {tiles}; connect-src 'self'; frame-ancestors {framing}; "
        "base-uri 'self'; form-action 'self'",
    )
    return response


def tile_origin(tile_url: str | None) -> str:
    """The origin map tiles come from, for the page's Content-Security-Policy."""
    if not tile_url:
        return ""
    parsed = urlparse(tile_url.replace("{s}", "*"))
    return f"{parsed.scheme}://{parsed.netloc}" if parsed.scheme and parsed.netloc else ""


class WebServer:
    """Runs a `web.Application` on a host and port (port 0 picks a free one)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        settings = self.app[SETTINGS]
        if settings.metrics.port is not None:  # /metrics on an address of its own
            web_ports = {address[1] for address in self._runner.addresses}
            metrics_site = web.TCPSite(self._runner, settings.metrics.host, settings.metrics.port)
            await metrics_site.start()
            self.app[METRICS_PORTS].update(
                address[1] for address in self._runner.addresses if address[1] not in web_ports)
        return self.url

    @property
    def metrics_url(self) -> str | None:
        """Where /metrics answers when it has an address of its own."""
        listening: set[int] = self.app[METRICS_PORTS]
        ports = sorted(listening)
        if not ports:
            return None
        host = self.app[SETTINGS].metrics.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{ports[0]}/metrics"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
