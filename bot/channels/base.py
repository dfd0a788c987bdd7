"""The contract every channel adapter implements, and what the app and the outbox rely on.

A channel (Telegram, Zalo Bot, Zalo OA) turns its platform's updates into neutral events for
the engine and neutral replies into platform calls. The app treats every channel alike through
this protocol: it attaches the channel's web routes, starts it under one start-up policy
(`bot/channels/host.py`), hands its outbox sender to the scheduler, and stops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from aiohttp import web

from handlers.i18n import Capabilities
from scheduler.delivery import ChannelSender


@dataclass(frozen=True)
class ChannelLimits:
    """What a platform can show: the flows' replies degrade to fit (numbered text instead of
    buttons, a typed place instead of a location button)."""

    text_length: int
    """Characters in one message; longer text is split."""
    buttons_per_message: int
    """0: no buttons, choices go out as numbered lines."""
    location_button: bool
    contact_button: bool
    media_by_url: bool
    """Photos go out as links the platform fetches (signed, short-lived), not as uploads."""
    receives_video: bool = True
    """The platform hands a person's video to the bot (Zalo Bot does not: a link instead)."""

    @property
    def capabilities(self) -> Capabilities:
        """What the flows' texts may tell the person to do here ("bấm Xong" or "gõ Xong")."""
        return Capabilities(buttons=self.buttons_per_message > 0,
                            location_button=self.location_button,
                            contact_button=self.contact_button,
                            receives_video=self.receives_video)


@dataclass
class Site:
    """Where the web server answers, once it listens (links to our media use it)."""

    url: str = ""


@runtime_checkable
class Channel(Protocol):
    channel: str
    """Its name, as stored with every account (storage.models.Channel)."""
    title: str
    """Its name in logs ("Telegram")."""
    limits: ChannelLimits
    starts_after_server: bool
    """True if starting needs the web server listening (a webhook the platform checks, links
    to our media); False if the channel must be ready before its webhook takes requests."""

    def attach(self, web_app: web.Application, site: Site) -> None:
        """Add its web routes (webhook, media links) before the server starts."""

    async def start(self) -> None:
        """Connect; raises bot.channels.errors.ChannelUnavailable (try again later) or
        ChannelRefused (our credentials are refused)."""

    async def stop(self) -> None: ...

    def outbox_sender(self, *, timeout: float, connections: int) -> ChannelSender:
        """What the outbox sends this channel's notices through."""
