"""One retry policy for replies, on every channel, driven by each channel's own reading of its
platform's errors.

A channel classifies an error into the outbox's failure kinds (scheduler/delivery.py), once,
for both paths: the outbox decides from it what to do with a notice, and this policy what to do
with a reply the person is waiting for. A passing trouble (network, timeout, 5xx, a quota) is
tried again, `attempts` times, after `backoff_seconds`, doubling; a platform's "slow down" is
waited out when it is short; anything else (a blocked account, a refused message, a closed
window) is not retried. The policy wraps one platform request at a time, so a retry never
repeats a message the person already has.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from scheduler.delivery import DeliveryError, Failure

log = logging.getLogger(__name__)

T = TypeVar("T")
Classify = Callable[[BaseException], DeliveryError | None]
"""A channel's reading of an error: its failure kind, or None if it is not the platform's."""
Sleep = Callable[[float], Awaitable[Any]]


@dataclass
class ReplyRetry:
    attempts: int = 2
    """Tries after the first."""
    backoff_seconds: float = 1.0
    longest_wait: float = 10.0
    """A platform's "retry after" longer than this is not waited for: the person would be."""
    sleep: Sleep = field(default=asyncio.sleep)

    async def call(self, request: Callable[[], Awaitable[T]], classify: Classify) -> T:
        attempt = 0
        while True:
            try:
                return await request()
            except Exception as error:
                wait = self._wait(classify(error), attempt)
                if wait is None:
                    raise
                attempt += 1
                log.info("reply send retried", extra={"attempt": attempt,
                                                      "error": type(error).__name__})
                await self.sleep(wait)

    def _wait(self, verdict: DeliveryError | None, attempt: int) -> float | None:
        """How long before trying again, or None: do not."""
        if verdict is None or attempt >= self.attempts:
            return None
        if verdict.failure is Failure.TRANSIENT:
            return self.backoff_seconds * 2**attempt
        if verdict.failure is Failure.RETRY_AFTER:
            wait = verdict.retry_after if verdict.retry_after is not None else \
                self.backoff_seconds * 2**attempt
            return wait if wait <= self.longest_wait else None
        return None
