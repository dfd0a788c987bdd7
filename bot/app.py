"""Wiring: settings → database → engine → channels. Nothing else lives here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from datetime import timedelta

from bot.channels.errors import ChannelRefused, ChannelUnavailable
from bot.instrumentation import MeteredEngine, instrument_flows
from bot.media_store import open_media_store
from bot.web.chat_notices import WebNoticeSender
from bot.web.metrics import ErrorLogCounter, Metrics, outbox_backlog
from bot.web.server import WebServer, create_web_app
from bot.zalo_oa import webhook as oa_webhook
from handlers.clock import Clock, SystemClock
from handlers.context import Services
from handlers.engine import Engine
from handlers.registry import build_features
from scheduler.outbox import OutboxWorker
from scheduler.retention import RetentionCounts
from scheduler.service import SchedulerService
from settings import Settings
from storage.db import Database
from storage.migrate import upgrade_async
from storage.units import UnitDirectory

log = logging.getLogger(__name__)

MAX_RETRY_SECONDS = 300


def build_services(settings: Settings, clock: Clock) -> Services:
    return Services(
        clock=clock,
        units=UnitDirectory.load(),
        media=open_media_store(settings),
        tz=settings.tz,
        default_language=settings.default_language,
        draft_resume_after=timedelta(hours=settings.draft_resume_prompt_hours),
        retention_days=settings.retention_days_after_close,
        messages_per_minute=settings.messages_per_minute,
        feedback_per_day=settings.feedback_per_day,
        features=build_features(feedback_categories=settings.feedback_category_list),
    )


@dataclass
class App:
    """The running product: one database, one engine, and the channels that feed it."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    db: Database = field(init=False)
    engine: Engine = field(init=False)
    channels: list = field(default_factory=list)
    outbox: OutboxWorker = field(init=False)
    scheduler: SchedulerService = field(init=False)
    metrics: Metrics = field(default_factory=Metrics)
    web: WebServer = field(init=False)
    _retries: list[asyncio.Task] = field(default_factory=list, init=False)
    """Channels that could not be reached at start, being tried again."""

    async def start(self) -> None:
        await upgrade_async(self.settings.database_url)
        self.db = Database(self.settings.database_url)
        services = build_services(self.settings, self.clock)
        services.features.flows = instrument_flows(services.features.flows, self.metrics)
        self.engine = MeteredEngine(self.db, services, self.metrics)
        self._error_counter = ErrorLogCounter(self.metrics)
        logging.getLogger().addHandler(self._error_counter)
        self.metrics.outbox_backlog = outbox_backlog(self.db)
        telegram = None
        if self.settings.telegram_bot_token is None:
            log.warning("TELEGRAM_BOT_TOKEN is not set: Telegram is off. Put "
                        "TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env to turn it on.")
        else:
            from bot.telegram.channel import TelegramChannel

            telegram = TelegramChannel(self.settings, self.engine, services.media)
        zalo = None
        if self.settings.zalo_bot_token is not None:
            from bot.zalo_bot.channel import ZaloChannel

            zalo = ZaloChannel(self.settings, self.engine, services.media, self.clock)
        zalo_oa = None
        if self.settings.zalo_oa_enabled:
            from bot.zalo_oa.channel import ZaloOAChannel

            zalo_oa = ZaloOAChannel(self.settings, self.engine, services.media, self.db,
                                    self.clock)
        # The web chat is always on, so the outbox always has its sender: notices for people
        # who write only from a browser wait for their page (bot/web/chat_notices.py).
        web_chat = WebNoticeSender(self.db, self.clock)
        self.scheduler = SchedulerService.build(
            self.settings, self.db, services,
            [c for c in (telegram, zalo, zalo_oa, web_chat) if c is not None])
        self.scheduler.retention.on_erased = self._count_retention
        # The web server first, so a webhook registered with Telegram finds it listening.
        web_app = create_web_app(settings=self.settings, db=self.db, services=services,
                                 engine=self.engine, metrics=self.metrics, telegram=telegram,
                                 scheduler=self.scheduler)
        if zalo is not None:
            zalo.attach(web_app)  # its webhook route and the signed links its photos go out by
        if zalo_oa is not None:  # its webhook route; tokens ready before the first event
            oa_webhook.register(web_app, zalo_oa, path=self.settings.zalo_oa_webhook_path)
            await zalo_oa.start()
            self.channels.append(zalo_oa)
        self.web = WebServer(web_app, self.settings.web_host, self.settings.web_port)
        url = await self.web.start()
        log.info(f"web server: map {url} · web chat {url}chat", extra={"url": url})
        if telegram is not None:
            await self._start_channel(telegram, "Telegram")
        if zalo is not None:
            zalo.links.base_url = self.settings.public_base_url or url
            await self._start_channel(zalo, "Zalo Bot")
        # Reminders, escalation, reports, and the outbox sender for every notice.
        self.outbox = self.scheduler.outbox
        self.engine.on_notices = self.outbox.wake
        if zalo_oa is not None:
            zalo_oa.on_activity = self.outbox.wake  # messages waiting for a person to write
        await self.scheduler.start()

    def _count_retention(self, counts: RetentionCounts) -> None:
        self.metrics.retention_erased.inc("feedback", counts.feedback)
        self.metrics.retention_erased.inc("photos", counts.photos)

    async def _start_channel(self, channel, name: str) -> None:  # noqa: ANN001
        """A platform that cannot be reached at start (Telegram is blocked by Vietnam's main
        ISPs; any platform can be down) must not keep the map, the web chat and the other
        channels from running: it is tried again in the background."""
        delay = self.settings.channel_retry_seconds
        if not await self._try_start(channel, name, retry_in=delay):
            self._retries.append(asyncio.create_task(self._keep_trying(channel, name, delay),
                                                     name=f"{name}-connect"))

    async def _keep_trying(self, channel, name: str, delay: float) -> None:  # noqa: ANN001
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
            if await self._try_start(channel, name, retry_in=delay):
                return

    async def _try_start(self, channel, name: str, *, retry_in: float) -> bool:  # noqa: ANN001
        """Start the channel; False if it is unreachable and worth trying again."""
        try:
            await channel.start()
        except ChannelRefused as refused:
            log.error(f"{refused}: {name} stays off; the map, the web chat and the other "
                      "channels run.")
            return True
        except ChannelUnavailable as error:
            log.warning(f"{name} unreachable; the map, the web chat and the other channels "
                        "run meanwhile.", extra={"error": str(error),
                                                 "retry_in_seconds": retry_in})
            return False
        self.channels.append(channel)
        log.info(f"{name} connected")
        return True

    @property
    def telegram(self):  # noqa: ANN201
        return next(c for c in self.channels if c.channel == "telegram")

    @property
    def zalo(self):  # noqa: ANN201
        return next(c for c in self.channels if c.channel == "zalo_bot")

    @property
    def zalo_oa(self):  # noqa: ANN201
        return next(c for c in self.channels if c.channel == "zalo_oa")

    async def stop(self) -> None:
        for retry in self._retries:
            retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retry
        self._retries.clear()
        await self.web.stop()
        await self.scheduler.stop()
        for channel in reversed(self.channels):
            await channel.stop()
        self.channels.clear()
        logging.getLogger().removeHandler(self._error_counter)
        await self.db.dispose()


async def serve(settings: Settings) -> None:
    """Run until Ctrl-C or SIGTERM, then stop every channel cleanly."""
    app = App(settings)
    await app.start()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)
    log.info("running; press Ctrl-C to stop")
    try:
        await stopping.wait()
    finally:
        log.info("stopping")
        await app.stop()
