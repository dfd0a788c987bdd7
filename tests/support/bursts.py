"""A burst of photos is answered once it is over (bot/channels/inbound.py): a driver that has
sent its action moves the test's clock past the burst when an answer waits for it, as the
person's time would pass, instead of sleeping."""

from __future__ import annotations

from bot.app import App


async def settle(app: App) -> None:
    inbound = app.host.inbound if app.host is not None else None
    if inbound is not None and inbound.holding:
        await app.clock.pass_time(inbound.burst)
