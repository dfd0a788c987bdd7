"""The Zalo Bot adapter: updates in (long polling, or a webhook), the engine in the middle,
replies out as plain text.

Updates of one chat are handled in arrival order, different chats concurrently, and Zalo's
photos, each its own message, get one answer per burst: the channel host's rules
(bot/channels/inbound.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.channels.base import ChannelLimits, Site
from bot.channels.errors import ChannelRefused, ChannelUnavailable
from bot.channels.inbound import Inbound
from bot.proxies import Proxies
from bot.web import signed_media
from bot.web.signed_media import SignedMediaUrls
from bot.zalo_bot import webhook as zalo_webhook
from bot.zalo_bot.client import MAX_TEXT, ZaloApiError, ZaloBotClient, ZaloNetworkError
from bot.zalo_bot.convert import IMAGE, chat_of, to_event, unwrap, update_key
from bot.zalo_bot.errors import classify
from bot.zalo_bot.render import ZaloRenderer
from handlers.clock import Clock
from handlers.engine import Engine
from handlers.replies import Reply
from settings import ZaloBotSettings
from storage.media import MediaStore
from storage.models import Channel

log = logging.getLogger(__name__)

REMEMBERED_UPDATES = 10_000  # for `wait_processed`
MAX_POLL_BACKOFF_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0


LIMITS = ChannelLimits(text_length=MAX_TEXT, buttons_per_message=0, receives_video=False,
                       location_button=False,
                       contact_button=False, media_by_url=True)


class ZaloChannel:
    channel = str(Channel.ZALO_BOT)
    title = "Zalo Bot"
    limits = LIMITS
    starts_after_server = True  # its photos go out as links to our server

    def __init__(self, settings: ZaloBotSettings, engine: Engine, media: MediaStore,
                 clock: Clock, *, public_base_url: str | None = None,
                 proxies: Proxies | None = None, retry_backoff_seconds: float = 1.0,
                 inbound: Inbound | None = None) -> None:
        """`public_base_url`: where Zalo fetches the photos we send (PUBLIC_BASE_URL), else
        the web server's own address; `proxies`: HTTPS_PROXY/ALL_PROXY (bot/proxies.py);
        `inbound`: the channel host's ordering, bursts and processed marks."""
        self.public_base_url = public_base_url
        assert settings.token is not None
        token = settings.token.get_secret_value()
        self.settings = settings
        self.engine = engine
        self.media = media
        self.client = ZaloBotClient(token, settings.api_base_url,
                                    proxies=proxies or Proxies())
        self.links = SignedMediaUrls.from_secret(
            token, clock=clock, ttl=timedelta(hours=settings.media_link_hours))
        inbound = inbound or Inbound(clock)
        budget = inbound.budgets.get(self.channel)  # Zalo's rate, replies first
        self.renderer = ZaloRenderer(self.client, self.links, retry=inbound.retry,
                                     pace=budget.for_reply if budget else None)
        self.outbox_renderer = ZaloRenderer(self.client, self.links,
                                            pace=budget.for_notice if budget else None)
        self.retry_backoff_seconds = retry_backoff_seconds
        self._tasks: set[asyncio.Task] = set()
        self.lane = inbound.lane(self.channel, engine, self.renderer.send)
        self._site = Site()
        self._poller: asyncio.Task | None = None

    @property
    def webhook_mode(self) -> bool:
        return self.settings.webhook_url is not None

    def attach(self, web_app: web.Application, site: Site) -> None:
        """Add our routes to the web server before it starts: the webhook (in webhook mode) and
        the signed links photos and files go out by (at PUBLIC_BASE_URL, else where the server
        listens)."""
        self._site = site
        if not self.public_base_url:
            log.warning("PUBLIC_BASE_URL is not set: Zalo cannot fetch the photos and files the "
                        "bot sends; set it to the web server's public https address")
        signed_media.register(web_app, self.links, self.media)
        if self.webhook_mode:
            assert self.settings.webhook_url and self.settings.webhook_secret
            zalo_webhook.register(web_app, self, webhook_url=self.settings.webhook_url,
                                  secret=self.settings.webhook_secret.get_secret_value())

    def outbox_sender(self, *, timeout: float, connections: int) -> ZaloOutboxSender:
        """The outbox sends through this channel's client (and its pacing)."""
        return ZaloOutboxSender(self)

    # -- life cycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self.links.base_url = self.public_base_url or self._site.url
        await self.client.start()
        try:
            me = await self.client.get_me()
        except ZaloNetworkError as error:
            await self.client.close()
            raise ChannelUnavailable(f"Zalo Bot: {error}") from None
        except ZaloApiError as error:
            await self.client.close()
            if error.status >= 500:  # Zalo's side is down: it may answer later
                raise ChannelUnavailable(f"Zalo Bot: {error.status}") from None
            raise ChannelRefused(f"Zalo refused ZALO_BOT_TOKEN ({error.status}): check the "
                                 "token Zalo Bot Creator sent you") from None
        name = (me or {}).get("account_name")
        if self.webhook_mode:
            assert self.settings.webhook_url and self.settings.webhook_secret
            try:
                await self.client.set_webhook(
                    self.settings.webhook_url,
                    self.settings.webhook_secret.get_secret_value())
            except ZaloApiError as error:
                await self.client.close()
                raise ChannelRefused(f"Zalo refused ZALO_WEBHOOK_URL: {error.description} (it "
                                     "must be a public https address)") from None
            log.info("zalo webhook set", extra={"bot": name})
            return
        await self.client.delete_webhook()  # getUpdates is refused while a webhook is set
        self._poller = asyncio.create_task(self._poll(), name="zalo-poll")
        log.info("zalo polling", extra={"bot": name})

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_GRACE_SECONDS)
        await self.lane.flush_all()
        await self.client.close()

    # -- updates in --------------------------------------------------------------------------

    async def _poll(self) -> None:
        failures = 0
        timeout = self.settings.poll_timeout_seconds
        while True:
            try:
                update = await self.client.get_update(timeout=timeout)
            except ZaloApiError as error:
                if error.code == 409:  # a newer poll ended this one
                    continue
                failures += 1
                log.warning("zalo getUpdates failed", extra={"error": str(error)})
                await asyncio.sleep(self._poll_backoff(failures))
                continue
            except ZaloNetworkError as error:
                failures += 1
                log.warning("zalo getUpdates failed", extra={"error": str(error)})
                await asyncio.sleep(self._poll_backoff(failures))
                continue
            failures = 0
            if update is not None:
                self._dispatch(update)

    def _poll_backoff(self, failures: int) -> float:
        return min(self.retry_backoff_seconds * 2 ** (failures - 1), MAX_POLL_BACKOFF_SECONDS)

    async def process_webhook_update(self, data: Any) -> None:
        """Queue an update that arrived at our webhook; it is handled like a polled one."""
        if unwrap(data) is None:
            raise ValueError("not a Zalo Bot update")
        self._dispatch(data)

    def _dispatch(self, data: Any) -> None:
        update = unwrap(data)
        if update is None:
            log.warning("zalo update without event_name ignored")
            return
        task = asyncio.create_task(self._process(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, update: dict[str, Any]) -> None:
        await self.lane.process(chat_of(update) or "", update_key(update),
                                lambda: self._handle(update))

    async def _handle(self, update: dict[str, Any]) -> None:
        if update.get("event_name") == IMAGE and (chat := chat_of(update)):
            with contextlib.suppress(ZaloApiError, ZaloNetworkError):
                await self.client.send_chat_action(chat, "typing")  # the download takes a while
        event = await to_event(update, self.client, self.media)
        if event is not None:
            await self.lane.answer(event.sender.chat_id, [event])

    # -- for tests and the outbox ------------------------------------------------------------

    async def wait_processed(self, message_id: str, timeout: float = 10.0) -> None:
        """Wait until an update has been handled (its replies sent, or held for a burst)."""
        await self.lane.wait_processed(message_id, timeout)

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        """Send a notice for the outbox, translating Zalo's refusals into its terms."""
        numbered = await self.engine.offer_actions(self.channel, chat_id, replies)
        try:
            await self.outbox_renderer.send(chat_id, replies, actions_numbered=numbered)
        except (ZaloApiError, ZaloNetworkError) as error:
            failure = classify(error)
            assert failure is not None
            raise failure from error


class ZaloOutboxSender:
    """The outbox's way to Zalo: the channel's `deliver`, with no start or stop of its own (the
    channel's client lives until after the outbox stopped)."""

    channel = str(Channel.ZALO_BOT)

    def __init__(self, zalo: ZaloChannel) -> None:
        self.zalo = zalo

    async def start(self) -> None:
        """Nothing to open: the channel's client is already running."""

    async def stop(self) -> None:
        """Nothing to close: the channel closes its client after the outbox stopped."""

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        await self.zalo.deliver(chat_id, replies)


__all__ = ["ZaloChannel"]
