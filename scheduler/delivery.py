"""The outbox's delivery port: what every channel offers it (send these replies to that chat,
or say why not). The outbox defines it; each channel adapter implements it."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from handlers.replies import Reply


class Failure(StrEnum):
    RETRY_AFTER = "retry_after"  # the platform asked us to slow down
    TRANSIENT = "transient"  # network error, timeout, 5xx: try again later
    BLOCKED = "blocked"  # the person blocked the bot or left: stop writing to this account
    PERMANENT = "permanent"  # the platform refuses this message for good
    # the platform refuses this person until they write to us again (Zalo OA's 7-day window):
    # never dropped; the message goes through another linked channel or waits for contact
    OUTSIDE_WINDOW = "outside_window"


class DeliveryError(Exception):
    def __init__(self, failure: Failure, detail: str = "", retry_after: float | None = None):
        super().__init__(f"{failure}: {detail}")
        self.failure = failure
        self.detail = detail
        self.retry_after = retry_after


class ChannelSender(Protocol):
    """One channel's way out for the outbox. `start` and `stop` bracket the outbox's run (a
    sender that borrows its channel's client does nothing in them); `deliver` sends one
    message's replies, or says in a `DeliveryError` which `Failure` kind stopped it."""

    channel: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, chat_id: str, replies: list[Reply]) -> None:
        """Send, or raise DeliveryError."""
        ...
