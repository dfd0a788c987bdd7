"""The OA's access token: always a valid one at hand, refreshed before it expires, and the
single-use refresh token never spent twice.

- The pair lives in the database (`ZaloOAToken`), reached through `TokenStore` (implemented by
  storage/repositories/zalo_oa.py, handed in by bot/app.py); a refresh writes the new access
  and refresh tokens in one statement.
- Refreshes are serialised: in this process by a lock, across processes by a lease on the row
  claimed with compare-and-swap before Zalo is called. Whoever loses waits for the winner's
  pair instead of calling Zalo with a token that is about to be used up.
- "This token is invalid" from the API (`refresh(stale=token)`) refreshes only if nobody has
  replaced that token yet, so ten sends failing at once cause one refresh.
- A refused refresh (used, expired or wrong refresh token) is logged as CRITICAL, kept on the
  row and shown by `health()` on /healthz: the OA is cut off until someone runs `dvk oa-auth`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.zalo_oa.oauth import REFRESH_TOKEN_LIFETIME, OAuthClient, OAuthRejected, OAuthUnavailable
from handlers.clock import Clock, from_db, to_db
from storage.models import ZaloOAToken

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
WAIT_STEP_SECONDS = 0.2
RETRY_REFUSED_AFTER = timedelta(hours=1)
"""A refresh token Zalo refused is not offered again before this (in case the refusal was not
about the token), so every message meanwhile does not knock on Zalo's door with it."""


class TokenStore(Protocol):
    """The OA's token row, as the token manager needs it (the OA's own credentials, not a
    person's data). Each call is its own committed transaction."""

    async def load_token(self, *, app_id: str) -> ZaloOAToken | None: ...

    async def seed_refresh_token(self, *, app_id: str, refresh_token: str, seed_hash: str,
                                 now: datetime) -> None: ...

    async def store_pair(self, *, app_id: str, access_token: str, refresh_token: str,
                         access_expires_at: datetime, refresh_expires_at: datetime | None,
                         now: datetime) -> None: ...

    async def claim_refresh(self, *, app_id: str, generation: int, owner: str,
                            until: datetime, now: datetime) -> bool: ...

    async def release_refresh(self, *, app_id: str, owner: str, problem: str | None = None,
                              now: datetime | None = None) -> None: ...


class TokenUnavailable(Exception):
    """No usable access token now. `rejected` means Zalo refused the refresh token for good."""

    def __init__(self, reason: str, *, rejected: bool = False) -> None:
        super().__init__(reason)
        self.rejected = rejected


@dataclass(frozen=True)
class _Current:
    access_token: str
    expires_at: datetime | None
    generation: int


class TokenManager:
    def __init__(self, store: TokenStore, oauth: OAuthClient, clock: Clock, *,
                 seed_refresh_token: str | None = None,
                 margin: timedelta = timedelta(minutes=30),
                 lease: timedelta = timedelta(seconds=60),
                 sleep: Sleep = asyncio.sleep) -> None:
        self.store = store
        self.oauth = oauth
        self.app_id = oauth.app_id
        self.clock = clock
        self.seed_refresh_token = seed_refresh_token
        self.margin = margin
        self.lease = lease
        self.sleep = sleep
        self.owner = secrets.token_hex(8)
        self.refreshes = 0
        """Refresh calls this manager made to Zalo (for tests and logs)."""
        self._lock = asyncio.Lock()
        self._current: _Current | None = None
        self._state = "missing"
        self._problem: str | None = None

    # -- start -------------------------------------------------------------------------------

    async def setup(self) -> None:
        """Load the pair; seed it from ZALO_OA_REFRESH_TOKEN when that is new to the database."""
        now = to_db(self.clock.now())
        row = await self._load()
        seed = self.seed_refresh_token
        if seed:
            seed_hash = hashlib.sha256(seed.encode()).hexdigest()
            if row is None or row.seed_hash != seed_hash:
                await self.store.seed_refresh_token(app_id=self.app_id, refresh_token=seed,
                                                    seed_hash=seed_hash, now=now)
                log.info("zalo oa: refresh token taken from ZALO_OA_REFRESH_TOKEN")
                row = await self._load()
        self._remember(row)

    # -- tokens ------------------------------------------------------------------------------

    async def access_token(self) -> str:
        """A token valid for at least `margin` more (refreshing first if needed)."""
        current = self._current
        if current is not None and self._fresh(current.access_token, current.expires_at):
            return current.access_token
        return await self.refresh(stale=current.access_token if current else None)

    async def ensure_fresh(self) -> None:
        """Refresh now if the token expires within `margin` (the background keeper calls this;
        it also keeps the 3-month refresh token alive on a quiet OA)."""
        if self.broken:  # maybe `dvk oa-auth` stored a new pair meanwhile
            self._remember(await self._load())
        try:
            await self.access_token()
        except TokenUnavailable as error:
            log.warning("zalo oa: token not refreshed", extra={"reason": str(error)})

    def refresh_due_in(self) -> float:
        """Seconds until the token should be refreshed (0: now)."""
        current = self._current
        if current is None or current.expires_at is None:
            return 0.0
        due = current.expires_at - self.margin - self.clock.now()
        return max(due.total_seconds(), 0.0)

    async def refresh(self, *, stale: str | None) -> str:
        """A new access token, unless `stale` was replaced meanwhile (then the replacement)."""
        async with self._lock:
            while True:
                row = await self._load()
                if row is None or not row.refresh_token:
                    self._state = "missing"
                    raise TokenUnavailable("no refresh token: run `dvk oa-auth` or set "
                                           "ZALO_OA_REFRESH_TOKEN")
                if row.access_token and row.access_token != stale and self._fresh(
                        row.access_token, row.access_expires_at):
                    self._remember(row)
                    return row.access_token
                now = to_db(self.clock.now())
                if row.problem and row.problem_at and now - from_db(row.problem_at) < (
                        RETRY_REFUSED_AFTER):
                    self._remember(row)  # refused moments ago: asking again would not help
                    raise TokenUnavailable(row.problem, rejected=True)
                claimed = await self.store.claim_refresh(
                    app_id=self.app_id, generation=row.generation, owner=self.owner,
                    until=now + self.lease, now=now)
                if claimed:
                    return await self._spend(row)
                await self._wait_for_other(row.generation)

    # -- health ------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """For /healthz: "ok", "missing" (never granted) or "rejected" (refresh refused)."""
        current = self._current
        expires = current.expires_at.isoformat() if current and current.expires_at else None
        body: dict[str, Any] = {"token": self._state, "access_expires_at": expires}
        if self._problem:
            body["problem"] = self._problem
            body["action"] = "run `dvk oa-auth` to grant the bot access to the OA again"
        return body

    @property
    def broken(self) -> bool:
        return self._state == "rejected"

    # -- internals ---------------------------------------------------------------------------

    async def _spend(self, row: ZaloOAToken) -> str:
        """Call Zalo with the refresh token we hold the lease for, and store what comes back."""
        self.refreshes += 1
        try:
            grant = await self.oauth.refresh(row.refresh_token)
        except OAuthRejected as error:
            problem = f"refresh token refused by Zalo (error {error.code}): {error.description}"
            await self.store.release_refresh(app_id=self.app_id, owner=self.owner,
                                             problem=problem, now=to_db(self.clock.now()))
            self._state, self._problem = "rejected", problem
            log.critical("zalo oa: refresh token refused; the OA cannot send until someone "
                         "runs `dvk oa-auth`", extra={"zalo_error": error.code,
                                                       "description": error.description})
            raise TokenUnavailable(problem, rejected=True) from None
        except OAuthUnavailable as error:
            await self.store.release_refresh(app_id=self.app_id, owner=self.owner)
            log.warning("zalo oa: token refresh failed, will retry", extra={"error": str(error)})
            raise TokenUnavailable(f"Zalo OAuth unreachable: {error}") from None
        now = to_db(self.clock.now())
        await self.store.store_pair(
            app_id=self.app_id, access_token=grant.access_token,
            refresh_token=grant.refresh_token,
            access_expires_at=now + timedelta(seconds=grant.expires_in),
            refresh_expires_at=now + REFRESH_TOKEN_LIFETIME, now=now)
        self._remember(await self._load())
        log.info("zalo oa: access token refreshed", extra={"expires_in": grant.expires_in})
        return grant.access_token

    async def _wait_for_other(self, generation: int) -> None:
        """Another process is refreshing: wait until its pair is stored or its lease runs out."""
        deadline = self.lease.total_seconds() / WAIT_STEP_SECONDS + 1
        for _ in range(int(deadline)):
            await self.sleep(WAIT_STEP_SECONDS)
            row = await self._load()
            if row is None or row.generation != generation or row.lease_until is None or (
                    from_db(row.lease_until) <= self.clock.now()):
                return

    async def _load(self) -> ZaloOAToken | None:
        return await self.store.load_token(app_id=self.app_id)

    def _fresh(self, token: str, expires_at: datetime | None) -> bool:
        return bool(token) and expires_at is not None and (
            from_db(expires_at) - self.margin > self.clock.now())

    def _remember(self, row: ZaloOAToken | None) -> None:
        if row is None or not row.refresh_token:
            self._current, self._state = None, "missing"
            return
        expires = from_db(row.access_expires_at) if row.access_expires_at else None
        self._current = _Current(row.access_token, expires, row.generation)
        self._state = "rejected" if row.problem else "ok"
        self._problem = row.problem
