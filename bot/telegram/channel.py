"""The Telegram adapter: python-telegram-bot in, the engine in the middle, replies out.

Updates of one chat are handled in arrival order, different chats concurrently, and the photos
of a burst (an album) get one answer: the channel host's rules (bot/channels/inbound.py), which
python-telegram-bot's update processor follows here.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.constants import MessageLimit
from telegram.error import (
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)

from bot.channels.base import ChannelLimits, Site
from bot.channels.errors import ChannelRefused, ChannelUnavailable
from bot.channels.inbound import Inbound, Lane
from bot.proxies import Proxies
from bot.telegram import webhook
from bot.telegram.convert import to_event
from bot.telegram.errors import classify
from bot.telegram.limiter import HostLimiter
from bot.telegram.render import Renderer, bot_commands
from bot.telegram.transport import AiohttpRequest
from handlers.engine import Engine
from handlers.replies import Reply
from scheduler.delivery import DeliveryError, Failure
from settings import TelegramSettings
from storage.media import MediaStore

log = logging.getLogger(__name__)

LIMITS = ChannelLimits(text_length=MessageLimit.MAX_TEXT_LENGTH, buttons_per_message=100,
                       location_button=True, contact_button=True, media_by_url=False)

BOT_CONNECTIONS = 256
"""PTB's own default for a bot's requests (updates are handled up to 256 at once)."""
POLL_CONNECTIONS = 1
"""PTB's default for getUpdates: one long poll at a time. Its read timeout stays the default
5 s: PTB adds the poll's timeout (settings.poll_timeout_seconds) to it."""


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Many chats at once, one update at a time within a chat, in arrival order: PTB hands
    each update to the host's ordering (its `Lane`)."""

    def __init__(self, lane: Lane, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.lane = lane

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        async with self.lane.ordered(str(chat.id if chat is not None else 0)):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class TelegramChannel:
    def __init__(self, settings: TelegramSettings, engine: Engine, media: MediaStore, *,
                 proxies: Proxies | None = None, inbound: Inbound | None = None) -> None:
        """`proxies`: HTTPS_PROXY/ALL_PROXY (bot/proxies.py), as Telegram is blocked in places.
        `inbound`: the channel host's ordering, bursts and processed marks (one of its own
        when the channel is used alone, e.g. for its outbox sender)."""
        assert settings.bot_token is not None
        self.settings = settings
        self.engine = engine
        self.media = media
        self.proxies = proxies = proxies or Proxies()
        inbound = inbound or Inbound(engine.services.clock)
        self.lane = inbound.lane(self.channel, engine, self._send)
        self._ordered = ChatOrderedProcessor(self.lane)
        builder = (
            Application.builder()
            .token(settings.bot_token.get_secret_value())
            .base_url(settings.api_base_url)
            .base_file_url(settings.file_base_url)
            .concurrent_updates(self._ordered)
            # aiohttp instead of PTB's httpx transport, with PTB's sizes and timeouts
            .request(AiohttpRequest(connection_pool_size=BOT_CONNECTIONS, proxies=proxies))
            .get_updates_request(AiohttpRequest(connection_pool_size=POLL_CONNECTIONS,
                                                proxies=proxies))
        )
        if settings.webhook_url:  # Telegram POSTs updates to bot/telegram/webhook.py
            builder = builder.updater(None)
        # the host's retry policy, and Telegram's one rate budget, shared with the outbox
        builder = builder.rate_limiter(HostLimiter(inbound.retry,
                                                   inbound.budgets.get(self.channel)))
        self.application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.renderer = Renderer(self.application.bot, media)

    async def _send(self, chat_id: str, replies: list[Reply]) -> None:
        await self.renderer.send(int(chat_id), replies)

    async def start(self) -> None:
        """Connect and start polling (or set the webhook). A failure leaves nothing open, so
        start() can simply be called again later (bot/app.py retries while Telegram is
        unreachable)."""
        try:
            await self._start()
        except BaseException as error:
            await self._undo_start()
            if isinstance(error, InvalidToken):  # its message quotes the token
                raise ChannelRefused("Telegram refused TELEGRAM_BOT_TOKEN (check the token "
                                     "from @BotFather)") from None
            if isinstance(error, TelegramError):
                raise ChannelUnavailable(f"Telegram: {type(error).__name__}") from error
            raise

    async def _undo_start(self) -> None:
        with contextlib.suppress(Exception):
            if self.application.updater and self.application.updater.running:
                await self.application.updater.stop()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()  # does nothing if it never got initialized
            await self.application.bot.shutdown()  # the HTTP sessions of a half-done start

    async def _start(self) -> None:
        await self.application.initialize()
        await self._publish_commands()
        await self.application.start()
        if self.settings.webhook_url:
            await self._set_webhook()
            return
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            poll_interval=0,
            timeout=self.settings.poll_timeout_seconds,
            allowed_updates=["message", "callback_query"],
        )
        me = self.application.bot
        log.info("telegram polling", extra={"bot": me.username})

    async def stop(self) -> None:
        await self.lane.flush_all()
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    channel = "telegram"
    title = "Telegram"
    limits = LIMITS
    starts_after_server = True  # a webhook registered with Telegram must find us listening

    def attach(self, web_app: web.Application, site: Site) -> None:
        """The webhook route, when Telegram POSTs updates instead of being polled."""
        if self.settings.webhook_url:
            assert self.settings.webhook_secret is not None  # the section requires it
            webhook.register(web_app, self, webhook_url=self.settings.webhook_url,
                             secret=self.settings.webhook_secret)

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        """Send a notice for the outbox, translating Telegram's refusals into its terms."""
        await _deliver(self.renderer, chat_id, replies)

    def outbox_sender(self, *, timeout: float, connections: int) -> TelegramOutboxSender:
        """A sender for the outbox on a bot of its own, without PTB's AIORateLimiter (which
        pauses every send on one 429 and has no per-chat limit): the outbox paces itself per
        chat (scheduler/ratelimit.py). Call its start() and stop()."""
        proxies = self.proxies
        request = AiohttpRequest(connection_pool_size=connections, connect_timeout=timeout,
                                 read_timeout=timeout, write_timeout=timeout,
                                 pool_timeout=timeout, media_write_timeout=max(timeout, 20.0),
                                 proxies=proxies)
        bot = Bot(self.settings.bot_token.get_secret_value(),
                  base_url=self.settings.api_base_url,
                  base_file_url=self.settings.file_base_url, request=request,
                  get_updates_request=AiohttpRequest(connection_pool_size=1,  # never polls
                                                     proxies=proxies))
        return TelegramOutboxSender(bot, self.media)

    async def _set_webhook(self) -> None:
        assert self.settings.webhook_url and self.settings.webhook_secret
        await self.application.bot.set_webhook(
            self.settings.webhook_url,
            secret_token=self.settings.webhook_secret.get_secret_value(),
            allowed_updates=["message", "callback_query"],
        )
        log.info("telegram webhook set", extra={"bot": self.application.bot.username})

    async def process_webhook_update(self, data: dict[str, Any]) -> None:
        """Queue an update that arrived at our webhook; it is handled like a polled one."""
        try:
            update = Update.de_json(data, self.application.bot)
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            raise ValueError("not a Telegram update") from error
        await self.application.update_queue.put(update)

    async def wait_processed(self, update_id: int | str, timeout: float = 10.0) -> None:
        """Wait until an update has been handled (its replies sent or held for a burst)."""
        await self.lane.wait_processed(str(update_id), timeout)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In the chat's turn already (`ChatOrderedProcessor`); errors go to `_on_error`."""
        try:
            event = await to_event(update, self.application.bot, self.media)
            if event is None:
                return
            # the button stops spinning as the answer goes out
            alongside = None if update.callback_query is None else (lambda: _acknowledge(update))
            await self.lane.answer(event.sender.chat_id, [event], alongside=alongside)
        finally:
            await self.lane.mark_processed(str(update.update_id))

    async def _publish_commands(self) -> None:
        """Telegram's "/" list: everyone's menu commands. An official's chat gets a list of
        its own when their role is set (a `MenuReply` from the engine, bot/telegram/render.py)."""
        bot = self.application.bot
        names = [c.name for c in self.engine.services.features.menu if not c.roles]
        for language in ("vi", "en"):
            await bot.set_my_commands(bot_commands(names, language),
                                      language_code=None if language == "vi" else "en")

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram update error", exc_info=context.error,
                  extra={"update_id": update_id})


class TelegramOutboxSender:
    """The outbox's way to Telegram (see `TelegramChannel.outbox_sender`)."""

    channel = "telegram"

    def __init__(self, bot: Bot, media: MediaStore) -> None:
        self.bot = bot
        self.renderer = Renderer(bot, media)

    async def start(self) -> None:
        """Get ready to send. Telegram may be unreachable now (it is blocked in places):
        the first delivery tries again, and the outbox retries deliveries that fail."""
        try:
            await self.bot.initialize()
        except TelegramError as error:
            log.warning("telegram unreachable for the outbox: notices wait",
                        extra={"error": type(error).__name__})

    async def stop(self) -> None:
        await self.bot.shutdown()

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        try:
            await self.bot.initialize()  # at once when already done
        except (NetworkError, TimedOut) as error:
            raise DeliveryError(Failure.TRANSIENT, type(error).__name__) from error
        await _deliver(self.renderer, chat_id, replies)


async def _deliver(renderer: Renderer, chat_id: str, replies: list[Reply]) -> None:
    try:
        await renderer.send(int(chat_id), replies)
    except TelegramError as error:
        failure = classify(error)
        if failure is None:
            raise
        raise failure from error


async def _acknowledge(update: Update) -> None:
    try:
        await update.callback_query.answer()
    except TelegramError as error:  # an expired query must not stop the answer itself
        log.info("callback answer failed", extra={"update_id": update.update_id,
                                                  "error": str(error)})


__all__ = ["TelegramChannel", "ChatOrderedProcessor"]
