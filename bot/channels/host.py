"""One start-up policy for every channel, and what the app asks of all channels at once.

What happens to each update (order per chat, the burst rule, the processed signal) is the
host's too: `inbound`, which every channel is built with (bot/channels/inbound.py).

A platform that cannot be reached at start (Telegram is blocked by Vietnam's main ISPs; any
platform can be down) must not keep the map, the web chat and the other channels from running:
it is tried again in the background, every `retry_seconds`, doubling up to five minutes. A
platform that refuses our credentials leaves that channel off and the rest running. /healthz
shows each channel's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from bot.channels.base import Channel, Site
from bot.channels.errors import ChannelRefused, ChannelUnavailable
from bot.channels.inbound import Inbound
from scheduler.delivery import ChannelSender

log = logging.getLogger(__name__)

MAX_RETRY_SECONDS = 300
RUNNING, RETRYING, OFF, STANDBY = "running", "retrying", "off", "standby"


class ChannelHost:
    def __init__(self, channels: Sequence[Channel], *, retry_seconds: float,
                 inbound: Inbound | None = None) -> None:
        self.channels = list(channels)
        self.inbound = inbound
        """Every channel's ordering, burst rule and processed marks (bot/channels/inbound.py),
        which the channels were built with."""
        """Every configured channel, started or not."""
        self.running: list[Channel] = []
        self.states: dict[str, str] = {}
        self.site = Site()
        self.retry_seconds = retry_seconds
        self._retries: list[asyncio.Task[None]] = []

    def attach(self, web_app: web.Application) -> None:
        """Every channel's routes (the app puts the channels' states in /healthz)."""
        for channel in self.channels:
            channel.attach(web_app, self.site)

    def health(self) -> dict[str, Any]:
        return dict(self.states)

    def outbox_senders(self, *, timeout: float, connections: int) -> dict[str, ChannelSender]:
        return {channel.channel: channel.outbox_sender(timeout=timeout, connections=connections)
                for channel in self.channels}

    async def start(self, *, after_server: bool,
                    which: Callable[[Channel], bool] | None = None) -> None:
        """Start the channels of one phase: before the web server listens, or after; with
        `which`, only those it picks (the leader alone runs the channels that long-poll)."""
        for channel in self.channels:
            if channel.starts_after_server == after_server and (which is None or which(channel)):
                await self._start(channel)

    async def _start(self, channel: Channel) -> None:
        delay = self.retry_seconds
        if not await self._try_start(channel, retry_in=delay):
            self._retries.append(asyncio.create_task(self._keep_trying(channel, delay),
                                                     name=f"{channel.title}-connect"))

    async def _keep_trying(self, channel: Channel, delay: float) -> None:
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
            if await self._try_start(channel, retry_in=delay):
                return

    async def _try_start(self, channel: Channel, *, retry_in: float) -> bool:
        """Start the channel; False if it is unreachable and worth trying again."""
        name = channel.title
        try:
            await channel.start()
        except ChannelRefused as refused:
            log.error(f"{refused}: {name} stays off; the map, the web chat and the other "
                      "channels run.")
            self.states[channel.channel] = OFF
            return True
        except ChannelUnavailable as error:
            log.warning(f"{name} unreachable; the map, the web chat and the other channels "
                        "run meanwhile.", extra={"error": str(error),
                                                 "retry_in_seconds": retry_in})
            self.states[channel.channel] = RETRYING
            return False
        self.running.append(channel)
        self.states[channel.channel] = RUNNING
        log.info(f"{name} connected")
        return True

    async def stop_retrying(self) -> None:
        for retry in self._retries:
            retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retry
        self._retries.clear()

    async def stop_channels(self, channels: Sequence[Channel]) -> None:
        """Stop these channels and any retry of theirs (a worker that stops leading stops its
        pollers); they may be started again."""
        names = {f"{channel.title}-connect" for channel in channels}
        for retry in [r for r in self._retries if r.get_name() in names]:
            retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retry
            self._retries.remove(retry)
        for channel in [c for c in reversed(self.running) if c in channels]:
            await channel.stop()
            self.running.remove(channel)
            self.states[channel.channel] = STANDBY

    async def stop(self) -> None:
        await self.stop_retrying()
        for channel in reversed(self.running):
            await channel.stop()
        self.running.clear()
