"""How a channel says, at start, that it cannot run now: the app keeps everything else
running and decides whether to try again (bot/app.py)."""

from __future__ import annotations


class ChannelUnavailable(Exception):
    """The platform cannot be reached now (down, or blocked by the network); starting the
    channel again later may work."""


class ChannelRefused(Exception):
    """The platform refused our credentials: starting again will not help until they change."""
