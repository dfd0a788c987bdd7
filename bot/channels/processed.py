"""The "processed" signal every channel gives: an update (by the platform's key) has been
handled, its replies sent or held for a burst. Tests wait on it instead of sleeping; it keeps
only the latest keys, since a bot runs for months."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

REMEMBERED = 10_000


class ProcessedSignal:
    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._remembered = remembered
        self._progress = asyncio.Condition()

    async def mark(self, key: str) -> None:
        async with self._progress:
            self._keys[key] = None
            while len(self._keys) > self._remembered:
                self._keys.popitem(last=False)
            self._progress.notify_all()

    async def wait(self, key: str, timeout: float = 10.0) -> None:
        """Until `key` has been handled; TimeoutError after `timeout` seconds."""
        async with self._progress:
            await asyncio.wait_for(self._progress.wait_for(lambda: key in self._keys), timeout)
