"""Zalo Bot's errors read as the outbox's failure kinds (scheduler/delivery.py): one reading for
the outbox's notices and for the host's retry of replies (bot/channels/retry.py)."""

from __future__ import annotations

from bot.zalo_bot.client import ZaloApiError, ZaloNetworkError
from scheduler.delivery import DeliveryError, Failure


def classify(error: BaseException) -> DeliveryError | None:
    """Zalo's error codes (ZALO-NOTES §1.2): 429 is a quota, 403 is documented as an internal
    server error, 408 and 5xx are passing troubles; the network's too. The rest is refused."""
    if isinstance(error, ZaloNetworkError):
        return DeliveryError(Failure.TRANSIENT, str(error))
    if not isinstance(error, ZaloApiError):
        return None
    detail = f"zalo {error.status}: {error.description}"
    if error.code in (403, 408, 429) or error.status >= 500:
        return DeliveryError(Failure.TRANSIENT, detail)
    return DeliveryError(Failure.PERMANENT, detail)
