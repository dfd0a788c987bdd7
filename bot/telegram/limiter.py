"""python-telegram-bot's hook around each Bot API request of the bot that answers people
(`getUpdates` aside): there the channel host's retry policy for replies applies, one request
at a time (bot/channels/retry.py), and each message takes its place in Telegram's one rate
budget, which the outbox shares, replies first (bot/channels/budget.py). It stands where PTB's
`AIORateLimiter` stood, which knew nothing of the outbox."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.channels.budget import RateBudget
from bot.channels.retry import ReplyRetry
from bot.telegram.errors import classify

NOT_RETRIED = frozenset({"getMe", "setWebhook", "deleteWebhook", "getWebhookInfo",
                         "logOut", "close"})
"""Start-up calls: the host's start-up policy retries a channel that cannot start
(bot/channels/host.py)."""


MESSAGES = ("send", "edit", "copy", "forward")
"""Methods that put a message in a chat: Telegram counts these against its cap."""


class HostLimiter(BaseRateLimiter[None]):
    def __init__(self, retry: ReplyRetry, budget: RateBudget | None = None) -> None:
        self.retry = retry
        self.budget = budget

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in NOT_RETRIED:
            return await callback(*args, **kwargs)
        budget = self.budget if endpoint.startswith(MESSAGES) else None

        async def once() -> bool | dict[str, Any] | list[dict[str, Any]]:
            if budget is not None:
                await budget.for_reply()
            return await callback(*args, **kwargs)

        return await self.retry.call(once, classify)
