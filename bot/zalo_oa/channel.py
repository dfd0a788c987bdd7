"""The Zalo OA adapter: verified webhook events in, the engine in the middle, replies out.

A webhook is answered at once (Zalo wants 200 within about 2 s, ZALO-NOTES §2.2) and its event
handled afterwards, under the channel host's rules (bot/channels/inbound.py): the events of one
user in arrival order, different users concurrently, one answer to a burst of photos.
A redelivered event is dropped here (recent message ids) and by the engine (processed ids).

For the outbox, `deliver` sends what the bot says on its own, and knows the 7-day window: a
message Zalo refuses because the person has not written for 7 days (or for quota) raises
`OutsideWindow` (bot/zalo_oa/errors.py), which the outbox never drops (it goes to another
linked channel, or waits until the person writes); and an official whose window is about to
close is told, in the message, to write once a week to keep receiving reminders here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.channels.base import ChannelLimits, Site
from bot.channels.inbound import Inbound
from bot.channels.retry import ReplyRetry
from bot.proxies import Proxies
from bot.web import signed_media
from bot.web.signed_media import SignedMediaUrls
from bot.zalo_oa import client as api
from bot.zalo_oa import signature, webhook
from bot.zalo_oa.client import OAApiError, OANetworkError, ZaloOAClient
from bot.zalo_oa.convert import UNFOLLOW, is_from_user, to_events, update_key, user_of
from bot.zalo_oa.errors import classify
from bot.zalo_oa.oauth import OAuthClient
from bot.zalo_oa.payloads import PayloadCodec
from bot.zalo_oa.render import OARenderer
from bot.zalo_oa.tokens import TokenManager, TokenStore, TokenUnavailable
from handlers.clock import Clock
from handlers.engine import Engine
from handlers.replies import Reply
from settings import ZaloOASettings
from storage.media import MediaStore
from storage.models import Channel

log = logging.getLogger(__name__)

RECENT_EVENTS = 10_000
STOP_GRACE_SECONDS = 10.0
KEEPER_RETRY_SECONDS = 300.0
CURFEW_END_HOUR = 6  # -234: no messages 22h-6h (UNVERIFIED)


LIMITS = ChannelLimits(text_length=api.MAX_TEXT, buttons_per_message=api.MAX_BUTTONS,
                       location_button=False, contact_button=False, media_by_url=False)


AddWarning = Callable[[str, list[Reply]], Awaitable[list[Reply]]]


class ZaloOAChannel:
    channel = Channel.ZALO_OA.value
    title = "Zalo OA"
    limits = LIMITS
    starts_after_server = False  # its access token is ready before the first event arrives

    def __init__(self, settings: ZaloOASettings, engine: Engine, media: MediaStore,
                 tokens: TokenStore, clock: Clock, *, tz: ZoneInfo, media_link_hours: float = 24,
                 public_base_url: str | None = None, proxies: Proxies | None = None,
                 window_warning: AddWarning | None = None,
                 inbound: Inbound | None = None) -> None:
        """`tokens`: where the OA's OAuth pair is kept (storage's `ZaloOATokenStore`, wired in
        bot/app.py). `window_warning`: what adds the closing-window warning to an official's
        notice (handlers/window_warning.py, wired in bot/app.py); none: notices go as they are.
        `media_link_hours`: how long links to voice notes stay valid (ZALO_MEDIA_LINK_HOURS);
        `public_base_url`: where Zalo fetches them (PUBLIC_BASE_URL), else our server's address;
        `proxies`: HTTPS_PROXY/ALL_PROXY where set."""
        self.tz = tz
        self.public_base_url = public_base_url
        assert settings.app_id and settings.app_secret
        assert settings.secret_key
        self.settings = settings
        self.engine = engine
        self.media = media
        self.clock = clock
        self.app_id = settings.app_id
        self._secret_key = settings.secret_key.get_secret_value()
        seed = settings.refresh_token
        timeout = settings.request_timeout_seconds
        proxies = proxies or Proxies()
        oauth = OAuthClient(settings.oauth_base_url, app_id=self.app_id,
                            app_secret=settings.app_secret.get_secret_value(),
                            timeout=timeout, proxies=proxies)
        self.tokens = TokenManager(
            tokens, oauth, clock, seed_refresh_token=seed.get_secret_value() if seed else None,
            margin=timedelta(seconds=settings.token_refresh_margin_seconds))
        self.client = ZaloOAClient(settings.api_base_url, self.tokens, timeout=timeout,
                                   proxies=proxies)
        self.codec = PayloadCodec(self._secret_key)
        # Zalo OA sends no sound: a voice note goes out as a signed link to its clean copy.
        self.links = SignedMediaUrls.from_secret(
            "zalo oa\0" + settings.app_secret.get_secret_value(), clock=clock,
            ttl=timedelta(hours=media_link_hours))
        self._site = Site()
        inbound = inbound or Inbound(clock)

        def renderer(retry: ReplyRetry | None) -> OARenderer:
            return OARenderer(
                self.client, media, self.codec, title_max=settings.button_title_max,
                info_image_url=settings.info_image_url,
                upload_max_bytes=settings.upload_max_bytes, links=self.links,
                public_url=lambda: self.public_base_url or self._site.url or None,
                retry=retry)

        self.renderer = renderer(inbound.retry)  # replies: the host's retry policy
        self.outbox_renderer = renderer(None)  # notices: the outbox retries on its own
        self.window_warning = window_warning
        self.on_activity: Callable[[], None] | None = None
        """Called after a person's event was handled (wakes the outbox: messages waiting for
        this person to write can go now)."""
        self._tasks: set[asyncio.Task] = set()
        self._recent: OrderedDict[str, None] = OrderedDict()
        self.lane = inbound.lane(self.channel, engine, self.renderer.send)
        self._keeper: asyncio.Task | None = None

    # -- life cycle --------------------------------------------------------------------------

    def attach(self, web_app: web.Application, site: Site) -> None:
        """Its webhook route, and the signed links voice notes go out by; /healthz shows its
        token's health."""
        webhook.register(web_app, self, path=self.settings.webhook_path)
        self._site = site
        signed_media.register(web_app, self.links, self.media)

    async def start(self) -> None:
        await self.tokens.setup()
        await self.client.start()
        await self.tokens.ensure_fresh()
        self._keeper = asyncio.create_task(self._keep_token_fresh(), name="zalo-oa-token")
        log.info("zalo oa channel on", extra={"token": self.tokens.health()["token"]})

    async def stop(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
            self._keeper = None
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_GRACE_SECONDS)
        await self.lane.flush_all()
        await self.client.close()

    def health(self) -> dict[str, Any]:
        return self.tokens.health()

    # -- webhook -----------------------------------------------------------------------------

    def verify(self, raw: bytes, header: str | None) -> signature.Verified | signature.Rejection:
        return signature.verify(
            raw, header, app_id=self.app_id, secret_key=self._secret_key,
            now_ms=int(self.clock.now().timestamp() * 1000),
            max_age_ms=int(self.settings.webhook_max_age_seconds * 1000))

    def accept(self, event: dict[str, Any]) -> str | None:
        """Queue a verified event for handling; returns its key, or None if there is nothing to
        do (an echo of our own message, a receipt, a redelivery)."""
        user_id = user_of(event)
        if not is_from_user(event) or user_id is None:
            return None
        key = update_key(event)
        if key in self._recent:
            log.info("zalo oa: redelivered event dropped", extra={"update_id": key})
            return None
        self._recent[key] = None
        while len(self._recent) > RECENT_EVENTS:
            self._recent.popitem(last=False)
        task = asyncio.create_task(
            self.lane.process(user_id, key, lambda: self._handle(user_id, event)),
            name=f"zalo-oa-{key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return key

    async def wait_processed(self, key: str, timeout: float = 10.0) -> None:
        """Wait until an accepted event has been handled and answered (for tests)."""
        await self.lane.wait_processed(key, timeout)

    async def _handle(self, user_id: str, event: dict[str, Any]) -> None:
        if event.get("event_name") == UNFOLLOW:
            await self.engine.account_left(self.channel, user_id)
            return
        events = await to_events(event, codec=self.codec, client=self.client, media=self.media)
        try:
            await self.lane.answer(user_id, events)  # several images in one message: one answer
        except (OAApiError, OANetworkError, TokenUnavailable) as error:
            log.error("zalo oa reply not sent", extra={
                "update_id": events[0].update_id, "error": str(error)[:300]})
        finally:
            if events and self.on_activity is not None:
                self.on_activity()

    # -- outbox ------------------------------------------------------------------------------

    def outbox_sender(self, *, timeout: float, connections: int) -> ZaloOAOutboxSender:
        """The outbox's way to the OA: this channel's `deliver` (the channel is started and
        stopped by the app, not by the scheduler)."""
        return ZaloOAOutboxSender(self)

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        """Send a notice for the outbox, translating Zalo's refusals into the outbox's terms."""
        if self.window_warning is not None:
            replies = await self.window_warning(chat_id, replies)
        try:
            await self.outbox_renderer.send(chat_id, replies)
        except (OAApiError, OANetworkError, TokenUnavailable, ValueError) as error:
            failure = classify(error, until_morning=self._until_morning())
            assert failure is not None
            raise failure from None

    # -- the token keeper --------------------------------------------------------------------

    async def _keep_token_fresh(self) -> None:
        """Refresh ahead of expiry even when nobody writes (which also keeps the 3-month
        refresh token alive). Waits in real time; tests call `tokens.ensure_fresh()`."""
        while True:
            wait = self.tokens.refresh_due_in()
            if wait <= 0 or self.tokens.broken:
                wait = KEEPER_RETRY_SECONDS
            await asyncio.sleep(min(wait, 3600.0))
            await self.tokens.ensure_fresh()

    def _until_morning(self) -> float:
        """Seconds until 06:00 local, when the night curfew (-234, UNVERIFIED) ends."""
        now = self.clock.now().astimezone(self.tz)
        morning = now.replace(hour=CURFEW_END_HOUR, minute=0, second=0, microsecond=0)
        if morning <= now:
            morning += timedelta(days=1)
        return (morning - now).total_seconds()


class ZaloOAOutboxSender:
    channel = Channel.ZALO_OA.value

    def __init__(self, oa: ZaloOAChannel) -> None:
        self.oa = oa

    async def start(self) -> None:
        """Nothing to open: the channel's client is already running."""

    async def stop(self) -> None:
        """Nothing to close: the channel closes its client after the outbox stopped."""

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        await self.oa.deliver(chat_id, replies)
