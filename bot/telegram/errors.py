"""Telegram's errors read as the outbox's failure kinds (scheduler/delivery.py): one reading
for the outbox's notices and for the host's retry of replies (bot/channels/retry.py)."""

from __future__ import annotations

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from scheduler.delivery import DeliveryError, Failure


def classify(error: BaseException) -> DeliveryError | None:
    """The failure kind of a Bot API error; None if it is not one. (A `BadRequest` is a
    `NetworkError` in PTB: the order of the checks matters.)"""
    if isinstance(error, RetryAfter):
        return DeliveryError(Failure.RETRY_AFTER, str(error),
                             retry_after=_seconds(error.retry_after))
    if isinstance(error, Forbidden):
        return DeliveryError(Failure.BLOCKED, str(error))
    if isinstance(error, BadRequest):
        return DeliveryError(Failure.PERMANENT, str(error))
    if isinstance(error, TimedOut | NetworkError):
        return DeliveryError(Failure.TRANSIENT, str(error))
    return None


def _seconds(retry_after: object) -> float:
    if hasattr(retry_after, "total_seconds"):
        return float(retry_after.total_seconds())
    return float(retry_after)  # type: ignore[arg-type]
