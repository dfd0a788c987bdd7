"""Wiring: settings → database → engine → channels. Nothing else lives here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from datetime import timedelta

from bot.settings import Settings
from handlers.clock import Clock, SystemClock
from handlers.context import Services
from handlers.engine import Engine
from handlers.registry import build_features
from scheduler.outbox import OutboxWorker
from storage.db import Database
from storage.media import MediaStore
from storage.migrate import upgrade_async
from storage.units import UnitDirectory

log = logging.getLogger(__name__)


def build_services(settings: Settings, clock: Clock) -> Services:
    return Services(
        clock=clock,
        units=UnitDirectory.load(),
        media=MediaStore(settings.media_dir, max_image_bytes=settings.max_photo_bytes),
        tz=settings.tz,
        default_language=settings.default_language,
        draft_resume_after=timedelta(hours=settings.draft_resume_prompt_hours),
        features=build_features(),
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

    async def start(self) -> None:
        await upgrade_async(self.settings.database_url)
        self.db = Database(self.settings.database_url)
        services = build_services(self.settings, self.clock)
        self.engine = Engine(self.db, services)
        if self.settings.telegram_bot_token is None:
            log.warning("TELEGRAM_BOT_TOKEN is not set: Telegram is off. Put "
                        "TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env to turn it on.")
        else:
            from bot.telegram.channel import TelegramChannel

            telegram = TelegramChannel(self.settings, self.engine, services.media)
            await telegram.start()
            self.channels.append(telegram)
        self.outbox = OutboxWorker(self.db, {c.channel: c for c in self.channels}, self.clock)
        self.engine.on_notices = self.outbox.wake
        self.outbox.start()

    @property
    def telegram(self):  # noqa: ANN201
        return next(c for c in self.channels if c.channel == "telegram")

    async def stop(self) -> None:
        await self.outbox.stop()
        for channel in reversed(self.channels):
            await channel.stop()
        self.channels.clear()
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
