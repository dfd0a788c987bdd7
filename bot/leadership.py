"""Several workers, one leader: every worker serves the web; the leader alone also runs the
scheduler, the outbox sender and the pollers (storage/leader.py says how the lock works).

A follower tries for the lock every third of `LEADER_LEASE_SECONDS`; the leader checks every
third that it still holds it, and steps down at once when it cannot tell (its session died:
the server has released the lock, or soon will). A dead leader is replaced within a lease:
`kill -9` frees the lock at once, a vanished machine when the server's keepalives give up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger(__name__)

Transition = Callable[[int], Awaitable[None]]


class LeaderLock(Protocol):
    async def try_acquire(self) -> int | None: ...
    async def holds(self) -> bool: ...
    async def release(self) -> None: ...
    def abort(self) -> None: ...
    async def listen(self, channel: str, callback: Callable[[], None]) -> None: ...


def default_worker_id() -> str:
    """host:pid, unique among the workers of one database."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership:
    """Runs `lead(epoch)` when this worker becomes leader and `follow(epoch)` when it stops
    being one (or is stopped); both are awaited before the next check."""

    def __init__(self, lock: LeaderLock, *, worker: str, lease_seconds: float,
                 lead: Transition, follow: Transition) -> None:
        self.lock = lock
        self.worker = worker
        self.interval = lease_seconds / 3
        self._lead = lead
        self._follow = follow
        self.epoch: int | None = None
        """The current term's epoch while this worker holds the lock (even while starting)."""
        self._leading = False
        self._task: asyncio.Task | None = None
        self._settled = False  # `_leading` once the transition's lead/follow has completed
        self._changed = asyncio.Condition()

    @property
    def leader(self) -> bool:
        """True once this worker's term has begun and what the leader runs is running."""
        return self._leading

    async def wait_until(self, *, leading: bool) -> None:
        """Until this worker's term has begun (what the leader runs is running) or, with
        `leading=False`, has ended (what it ran has stopped): something to wait on for whoever
        must know, instead of asking again and again."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._settled is leading)

    async def _transition_done(self) -> None:
        async with self._changed:
            self._settled = self._leading
            self._changed.notify_all()

    async def start(self) -> None:
        """First attempt now (so a lone worker leads before `start` returns), then a loop.
        What stops the first term from starting (a refused token) stops the start too."""
        await self._step(first=True)
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._step_down("stopping", clean=True)
        await self.lock.release()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self._step()

    async def _step(self, *, first: bool = False) -> None:
        try:
            if self.epoch is None:
                epoch = await asyncio.wait_for(self.lock.try_acquire(), self.interval)
                if epoch is not None:
                    self.epoch = epoch
                    log.info("this worker leads", extra={"worker": self.worker, "epoch": epoch})
                    try:
                        await self._lead(epoch)
                    except Exception:
                        if not first:
                            raise
                        await self._step_down("its term could not start")
                        raise
                    self._leading = True
                    await self._transition_done()
            elif not await asyncio.wait_for(self.lock.holds(), self.interval):
                await self._step_down("the lock is no longer held")
        except (TimeoutError, OSError, ConnectionError) as error:
            await self._step_down(f"the database did not answer: {type(error).__name__}")
        except Exception:
            if first and self.epoch is None:
                raise  # the first term did not start: neither does the worker
            log.exception("leadership check failed", extra={"worker": self.worker})
            await self._step_down("the check failed")

    async def _step_down(self, why: str, *, clean: bool = False) -> None:
        """Stop leading. A clean stop finishes the sends in flight before letting go of the
        lock; a lost lock lets go first, since another worker may already lead."""
        if self.epoch is None:
            if not clean:
                self.lock.abort()  # a half-open session from a failed attempt
            return
        epoch, self.epoch, self._leading = self.epoch, None, False
        if not clean:
            self.lock.abort()
        (log.info if clean else log.warning)("this worker no longer leads", extra={
            "worker": self.worker, "epoch": epoch, "reason": why})
        try:
            await self._follow(epoch)
        finally:
            await self._transition_done()
