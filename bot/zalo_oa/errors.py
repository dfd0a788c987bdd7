"""Zalo OA's errors read as the outbox's failure kinds (scheduler/delivery.py): one reading for
the outbox's notices and for the host's retry of replies (bot/channels/retry.py)."""

from __future__ import annotations

from bot.zalo_oa import client as api
from bot.zalo_oa.client import OAApiError, OANetworkError
from bot.zalo_oa.tokens import TokenUnavailable
from scheduler.delivery import DeliveryError, Failure


class OutsideWindow(DeliveryError):
    """Zalo refuses this person until they write to the OA again (the 7-day window, or the
    OA's quota). Not a reason to drop the message: the outbox sends it through another linked
    channel, or keeps it until the person next writes."""

    def __init__(self, detail: str) -> None:
        super().__init__(Failure.OUTSIDE_WINDOW, detail)


def classify(error: BaseException, *, until_morning: float = 0.0) -> DeliveryError | None:
    """The failure kind of an OA error; None if it is not one. `until_morning`: seconds until
    the night curfew ends (-234, UNVERIFIED)."""
    if isinstance(error, OANetworkError | TokenUnavailable):
        return DeliveryError(Failure.TRANSIENT, str(error)[:300])
    if isinstance(error, ValueError):  # a reply Zalo cannot take (too long a payload)
        return DeliveryError(Failure.PERMANENT, str(error)[:300])
    if not isinstance(error, OAApiError):
        return None
    detail = f"zalo oa {error.code}: {error.message}"[:300]
    if error.code in api.WINDOW_ERRORS:
        return OutsideWindow(detail)
    if error.code == api.NOT_FOLLOWER:
        return DeliveryError(Failure.BLOCKED, detail)
    if error.code == api.RATE_LIMITED:
        return DeliveryError(Failure.RETRY_AFTER, detail, retry_after=60.0)
    if error.code == api.NIGHT_CURFEW:
        return DeliveryError(Failure.RETRY_AFTER, detail, retry_after=until_morning)
    if error.code in api.TOKEN_ERRORS or error.status == 401:
        return DeliveryError(Failure.TRANSIENT, detail)
    return DeliveryError(Failure.PERMANENT, detail)
