"""Identical requests that arrive while one of them is being answered wait for that answer.

When a newspaper links the map, hundreds of readers ask for the same GeoJSON within the same
second; each answer costs the database an aggregate. Joining the computation already under way
keeps that to one aggregate per distinct view at a time, without keeping any answer afterwards:
a request that starts after an answer is done computes afresh, so nothing is served stale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """At most one computation per key at a time; callers of a running one share its result."""

    def __init__(self) -> None:
        self._flights: dict[str, asyncio.Future[T]] = {}

    async def run(self, key: str, compute: Callable[[], Awaitable[T]]) -> T:
        flight = self._flights.get(key)
        if flight is None:
            flight = asyncio.ensure_future(compute())
            self._flights[key] = flight
            flight.add_done_callback(lambda done: self._land(key, done))
        # A reader who leaves (aiohttp cancels its handler) does not cancel the others' answer.
        return await asyncio.shield(flight)

    def _land(self, key: str, done: asyncio.Future[T]) -> None:
        if self._flights.get(key) is done:
            del self._flights[key]
        if not done.cancelled():
            done.exception()  # retrieved here, so a failure nobody waited for is not logged twice
