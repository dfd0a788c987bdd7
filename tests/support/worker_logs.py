"""A worker process's log, read as it is written: tests wait for the line that says a thing
happened ("this worker leads") instead of polling on a timer."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path


class WorkerLog:
    """Every line a process writes on one stream, kept (and copied to a file for failures);
    `wait_for` wakes on each new line."""

    def __init__(self, stream: asyncio.StreamReader, copy: Path) -> None:
        self.lines: list[str] = []
        self.closed = False
        self.copy = copy
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        with self.copy.open("w", encoding="utf-8") as out:
            while raw := await stream.readline():
                line = raw.decode(errors="replace")
                out.write(line)
                out.flush()
                async with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()
        async with self._changed:
            self.closed = True
            self._changed.notify_all()

    def has(self, marker: str, *, since: int = 0) -> bool:
        return any(marker in line for line in self.lines[since:])

    async def wait_for(self, marker: str, *, since: int = 0, timeout: float) -> None:
        """Until a line from index `since` on holds `marker`; fails if the stream ends first
        or `timeout` seconds pass."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: self.has(marker, since=since) or self.closed)
        except TimeoutError:
            raise AssertionError(f"no {marker!r} within {timeout} s:\n"
                                 + "".join(self.lines[-30:])) from None
        assert self.has(marker, since=since), (f"the stream ended without {marker!r}:\n"
                                               + "".join(self.lines[-30:]))

    async def close(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
