"""Wiring: settings → database → engine → channels. Nothing else lives here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.channels.base import Channel
from bot.channels.budget import RateBudget
from bot.channels.host import ChannelHost
from bot.channels.inbound import Inbound
from bot.channels.retry import ReplyRetry
from bot.instrumentation import MeteredEngine, instrument_flows
from bot.leadership import Leadership, default_worker_id
from bot.media_store import open_media_store
from bot.proxies import Proxies
from bot.telegram import channel as telegram_channel
from bot.telegram.channel import TelegramChannel
from bot.web.keys import CHANNEL_HEALTH, ServerSettings
from bot.web.metrics import ErrorLogCounter, Metrics, outbox_backlog, unassigned_items
from bot.web.server import WebServer, create_web_app
from bot.webchat import chat as webchat
from bot.webchat.channel import WebChatChannel
from bot.zalo_bot import channel as zalo_bot_channel
from bot.zalo_bot.channel import ZaloChannel
from bot.zalo_oa import channel as zalo_oa_channel
from bot.zalo_oa.channel import ZaloOAChannel
from handlers.clock import Clock, SystemClock
from handlers.context import Services
from handlers.criteria import load_catalogue
from handlers.engine import Engine
from handlers.registry import build_features
from handlers.window_warning import WindowWarnings
from scheduler.outbox import OutboxWorker
from scheduler.retention import RetentionCounts
from scheduler.service import OUTBOX_CONNECTIONS, SchedulerService
from settings import Settings
from storage.db import Database
from storage.leader import OUTBOX_CHANNEL, PostgresLeaderLock, SoleProcessLock
from storage.migrate import upgrade_async
from storage.repositories.web_notices import WebNoticeStore
from storage.repositories.web_sessions import WebSessionStore
from storage.repositories.zalo_oa import ZaloOATokenStore
from storage.units import UnitDirectory
from storage.upgrade_process import upgrade_in_child

log = logging.getLogger(__name__)

Migrate = Callable[[str], Awaitable[None]]

def build_services(settings: Settings, clock: Clock) -> Services:
    return Services(
        clock=clock,
        units=UnitDirectory.load(),
        media=open_media_store(settings.media),
        tz=settings.flows.tz,
        default_language=settings.flows.default_language,
        draft_resume_after=timedelta(hours=settings.flows.draft_resume_prompt_hours),
        text_join_window=timedelta(seconds=settings.flows.text_join_seconds),
        retention_days=settings.flows.retention_days_after_close,
        messages_per_minute=settings.flows.messages_per_minute,
        feedback_per_day=settings.flows.feedback_per_day,
        duplicate_radius_m=settings.flows.duplicate_radius_m,
        consultation_days=settings.flows.consultation_days,
        guides_url=guides_url(settings),
        criteria=load_catalogue(settings.flows.criteria_dir),
        console_url=web_base(settings) + "/console/",
        features=build_features(feedback_categories=settings.flows.feedback_categories),
        capabilities=dict(CHANNEL_CAPABILITIES),
    )


def guides_url(settings: Settings) -> str:
    """The guides' address people can open: under PUBLIC_BASE_URL, else on this server."""
    return web_base(settings) + "/huong-dan/"


def web_base(settings: Settings) -> str:
    """Where people open this server: PUBLIC_BASE_URL, else its own address (no final /)."""
    host = settings.web.host if ":" not in settings.web.host else f"[{settings.web.host}]"
    base = settings.web.public_base_url or f"http://{host}:{settings.web.port}"
    return base.rstrip("/")


def rate_budgets(settings: Settings) -> dict[str, RateBudget]:
    """Each platform's one rate budget, shared by its replies and its outbox sender, replies
    first (bot/channels/budget.py): Telegram's overall cap, Zalo Bot's pace."""
    return {TelegramChannel.channel: RateBudget(settings.telegram.reply_rate_per_second),
            ZaloChannel.channel: RateBudget(settings.zalo_bot.rate_per_second)}


CHANNEL_CAPABILITIES = {
    TelegramChannel.channel: telegram_channel.LIMITS.capabilities,
    ZaloChannel.channel: zalo_bot_channel.LIMITS.capabilities,
    ZaloOAChannel.channel: zalo_oa_channel.LIMITS.capabilities,
    WebChatChannel.channel: webchat.LIMITS.capabilities,
}
"""Each channel's own declaration (its `LIMITS`), whether it is configured or not: a person
may write on any of them."""


def configured_channels(settings: Settings, engine: Engine, services: Services, db: Database,
                        clock: Clock, inbound: Inbound) -> list[Channel]:
    """The one wiring list: every channel whose settings are present, in start-up order, each
    under the host's ordering, burst rule and processed marks (`inbound`). The web chat needs
    no credentials: it is always on."""
    channels: list[Channel] = [WebChatChannel(
        settings.webchat, engine, services.media, server=settings.web,
        sessions=WebSessionStore(db), notices=WebNoticeStore(db), inbound=inbound)]
    proxies = Proxies.from_settings(settings.proxy)
    if settings.telegram.bot_token is None:
        log.warning("TELEGRAM_BOT_TOKEN is not set: Telegram is off. Put "
                    "TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env to turn it on.")
    else:
        channels.append(TelegramChannel(settings.telegram, engine, services.media,
                                        proxies=proxies, inbound=inbound))
    if settings.zalo_bot.token is not None:
        channels.append(ZaloChannel(settings.zalo_bot, engine, services.media, clock,
                                    public_base_url=settings.web.public_base_url,
                                    proxies=proxies, inbound=inbound))
    if settings.zalo_oa.enabled:
        warnings = WindowWarnings(db, clock, settings.flows.tz,
                                  window=timedelta(days=settings.zalo_oa.window_days),
                                  warn_before=timedelta(days=settings.zalo_oa.window_warn_days))
        channels.append(ZaloOAChannel(settings.zalo_oa, engine, services.media,
                                      ZaloOATokenStore(db), clock,
                                      tz=settings.flows.tz,
                                      media_link_hours=settings.zalo_bot.media_link_hours,
                                      public_base_url=settings.web.public_base_url,
                                      proxies=proxies, window_warning=warnings.add_to,
                                      inbound=inbound))
    return channels


@dataclass
class App:
    """The running product: one database, one engine, and the channels that feed it."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    migrate: Migrate = upgrade_async
    """How the schema is brought up to date at start: here, in a thread, by default; `serve`
    (a long-lived worker) uses a child process (storage/upgrade_process.py)."""
    db: Database = field(init=False)
    engine: Engine = field(init=False)
    host: ChannelHost | None = field(default=None, init=False)
    inbound: Inbound = field(init=False)
    outbox: OutboxWorker = field(init=False)
    scheduler: SchedulerService = field(init=False)
    metrics: Metrics = field(default_factory=Metrics)
    web: WebServer = field(init=False)
    leadership: Leadership = field(init=False)

    async def start(self) -> None:
        """Serve the web on every worker; lead (scheduler, outbox, pollers) when the lease is
        ours (bot/leadership.py). On SQLite the lock file is taken first: a second process on
        the same file stops right here (`AlreadyRunning`)."""
        worker = self.settings.workers.worker_id or default_worker_id()
        url = self.settings.database.url
        if url.startswith("sqlite"):
            lock = SoleProcessLock(url, worker=worker)
            lock.lock_file()
        else:
            lock = PostgresLeaderLock(url, worker=worker,
                                      lease_seconds=self.settings.workers.leader_lease_seconds)
        try:
            await self._start(lock, worker)
        except BaseException:
            await lock.release()
            raise

    async def _start(self, lock, worker: str) -> None:  # noqa: ANN001
        await self.migrate(self.settings.database.url)
        self.db = Database(self.settings.database.url)
        services = build_services(self.settings, self.clock)
        self._services = services
        services.features.flows = instrument_flows(services.features.flows, self.metrics)
        self.engine = MeteredEngine(self.db, services, self.metrics)
        self._error_counter = ErrorLogCounter(self.metrics)
        logging.getLogger().addHandler(self._error_counter)
        self.metrics.outbox_backlog = outbox_backlog(self.db)
        self.metrics.unassigned_items = unassigned_items(self.db)
        inbound = Inbound(self.clock,
                          burst=timedelta(seconds=self.settings.workers.photo_burst_seconds),
                          retry=ReplyRetry(backoff_seconds=self.settings.workers.reply_retry_seconds),
                          budgets=rate_budgets(self.settings))
        self.inbound = inbound
        self.host = ChannelHost(configured_channels(self.settings, self.engine, services,
                                                    self.db, self.clock, inbound),
                                retry_seconds=self.settings.workers.channel_retry_seconds,
                                inbound=inbound)
        self.scheduler = self._build_scheduler()
        self.leadership = Leadership(lock, worker=worker,
                                     lease_seconds=self.settings.workers.leader_lease_seconds,
                                     lead=self._lead, follow=self._follow)
        web_app = create_web_app(settings=ServerSettings.of(self.settings), db=self.db,
                                 services=services, engine=self.engine, metrics=self.metrics,
                                 scheduler=_SchedulerState(self), leadership=self.leadership)
        self.host.attach(web_app)  # each channel's routes: the web chat, webhooks, media links
        web_app.setdefault(CHANNEL_HEALTH, {})["channels"] = self.host  # their states
        # Webhooks are served by every worker; a channel that long-polls, by the leader alone.
        await self.host.start(after_server=False, which=self._serves)
        self.web = WebServer(web_app, self.settings.web.host, self.settings.web.port)
        url = await self.web.start()
        self.host.site.url = url
        log.info(f"web server: map {url} · web chat {url}chat", extra={"url": url})
        await self.host.start(after_server=True, which=self._serves)
        self.outbox = self.scheduler.outbox
        self.engine.on_notices = lambda: self.outbox.wake()
        for channel in self.host.channels:
            if isinstance(channel, ZaloOAChannel):  # messages waiting for a person to write
                channel.on_activity = lambda: self.outbox.wake()
        await lock.listen(OUTBOX_CHANNEL, lambda: self.outbox.wake())  # other workers' notices
        await self.leadership.start()
        log.info("worker started", extra={"worker": worker, "leader": self.leadership.leader})

    def _build_scheduler(self) -> SchedulerService:
        """Reminders, escalation, reports, and the outbox sender for every notice, with each
        channel's outbox sender (the web chat's keeps notices for the chat's page:
        bot/webchat/notices.py)."""
        senders = self.host.outbox_senders(timeout=self.settings.outbox.send_timeout_seconds,
                                           connections=OUTBOX_CONNECTIONS)
        scheduler = SchedulerService.build(self.settings, self.db, self._services, senders,
                                           budgets=self.inbound.budgets)
        scheduler.retention.on_erased = self._count_retention
        scheduler.on_queued = self.metrics.reminders_sent.inc
        return scheduler

    def _polls(self, channel: Channel) -> bool:
        if channel.channel == "telegram":
            return not self.settings.telegram.webhook_url
        return channel.channel == "zalo_bot" and not getattr(channel, "webhook_mode", True)

    def _serves(self, channel: Channel) -> bool:
        return not self._polls(channel)

    async def _lead(self, epoch: int) -> None:
        """This worker's term begins: its pollers, then the scheduler and the outbox sender,
        fenced by the term's epoch."""
        if self.scheduler.running or self.scheduler.outbox.epoch is not None:
            self.scheduler = self._build_scheduler()  # a new term after one that was lost
        self.outbox = self.scheduler.outbox
        self.outbox.epoch = epoch
        await self.host.start(after_server=False, which=self._polls)
        await self.host.start(after_server=True, which=self._polls)
        await self.scheduler.start()

    async def _follow(self, epoch: int) -> None:
        """The term is over (lost, or the worker stops): stop what the leader runs."""
        await self.scheduler.stop()
        await self.host.stop_channels([c for c in self.host.channels if self._polls(c)])

    @property
    def channels(self) -> list[Channel]:
        """The channels running now (one unreachable at start joins when it connects)."""
        return self.host.running if self.host is not None else []

    def _count_retention(self, counts: RetentionCounts) -> None:
        self.metrics.retention_erased.inc("feedback", counts.feedback)
        self.metrics.retention_erased.inc("photos", counts.photos)
        self.metrics.retention_erased.inc("followers", counts.followers)

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
        await self.host.stop_retrying()
        await self.web.stop()
        await self.leadership.stop()  # the scheduler, the outbox and the pollers first
        await self.host.stop()
        logging.getLogger().removeHandler(self._error_counter)
        await self.db.dispose()


class _SchedulerState:
    """What /healthz reads: the scheduler of the current term (rebuilt at each new term)."""

    def __init__(self, app: App) -> None:
        self._app = app

    @property
    def running(self) -> bool:
        return self._app.scheduler.running


async def serve(settings: Settings) -> None:
    """Run until Ctrl-C or SIGTERM, then stop every channel cleanly."""
    app = App(settings, migrate=upgrade_in_child)
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
