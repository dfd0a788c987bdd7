"""`dvk oa-auth`: the first OAuth grant, which gives the bot its first refresh token.

1. prints Zalo's consent page for the OA (PKCE: the code challenge is in the link, the
   verifier stays here);
2. an OA admin opens it, allows the app, and lands on the redirect URI with `?code=…&state=…`
   in the address bar (the page itself may show an error: only the address matters);
3. the operator pastes that address (or the code) here; the code is exchanged for the pair,
   which is stored in the database, never printed.

Run it again whenever /healthz says the refresh token was refused. Operator tooling, wired
beside the other commands rather than in the channel's folder: it opens the database itself.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from bot.proxies import Proxies
from bot.zalo_oa.oauth import (
    REFRESH_TOKEN_LIFETIME,
    OAuthClient,
    OAuthRejected,
    OAuthUnavailable,
    permission_url,
    pkce_pair,
)
from handlers.clock import Clock, SystemClock, to_db
from settings import Settings
from storage.db import Database
from storage.migrate import upgrade_async
from storage.repositories.zalo_oa import ZaloOATokenStore

REDIRECT_PATH = "/zalo-oa/oauth"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `dvk oa-auth` to the command line."""
    parser = subparsers.add_parser(
        "oa-auth", help="grant the bot access to the Zalo Official Account (first OAuth step)",
        description="Print Zalo's consent link for the OA, then exchange the code you paste "
                    "back for tokens, stored in the database.")
    parser.add_argument("--redirect-uri", help="the callback URL registered in the Zalo app "
                        f"(default: PUBLIC_BASE_URL + {REDIRECT_PATH})")
    parser.set_defaults(run=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    redirect = args.redirect_uri or (settings.web.public_base_url and
                                     settings.web.public_base_url.rstrip("/") + REDIRECT_PATH)
    if not settings.zalo_oa.enabled:
        print("Set ZALO_OA_APP_ID, ZALO_OA_APP_SECRET and ZALO_OA_SECRET_KEY first (.env).")
        return 2
    if not redirect:
        print("Give --redirect-uri (the callback URL registered in the Zalo app), or set "
              "PUBLIC_BASE_URL.")
        return 2
    return asyncio.run(grant(settings, redirect_uri=redirect, read=input, write=print))


async def grant(settings: Settings, *, redirect_uri: str, read: Callable[[str], str],
                write: Callable[[str], object], clock: Clock | None = None) -> int:
    """The whole first grant; returns the exit status."""
    assert settings.zalo_oa.app_id and settings.zalo_oa.app_secret
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    write("1. Open this link as an admin of the Official Account and allow the app:\n"
          + permission_url(settings.zalo_oa.oauth_base_url, app_id=settings.zalo_oa.app_id,
                           redirect_uri=redirect_uri, code_challenge=challenge, state=state))
    pasted = await asyncio.to_thread(
        read, "2. Paste the address you were sent to (or just the code): ")
    code = code_from(pasted, state)
    if code is None:
        write("That address has no code, or its state does not match this link. Start again.")
        return 1
    oauth = OAuthClient(settings.zalo_oa.oauth_base_url, app_id=settings.zalo_oa.app_id,
                        app_secret=settings.zalo_oa.app_secret.get_secret_value(),
                        timeout=settings.zalo_oa.request_timeout_seconds,
                        proxies=Proxies.from_settings(settings.proxy))
    try:
        pair = await oauth.exchange_code(code, verifier)
    except OAuthRejected as error:
        write(f"Zalo refused the code (error {error.code}: {error.description}). Codes last "
              "10 minutes and work once: start again.")
        return 1
    except OAuthUnavailable as error:
        write(f"Zalo could not be reached ({error}). Try again.")
        return 1
    now = to_db((clock or SystemClock()).now())
    await upgrade_async(settings.database.url)
    db = Database(settings.database.url)
    try:
        await ZaloOATokenStore(db).store_pair(
            app_id=settings.zalo_oa.app_id, access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            access_expires_at=now + timedelta(seconds=pair.expires_in),
            refresh_expires_at=now + REFRESH_TOKEN_LIFETIME, now=now)
    finally:
        await db.dispose()
    write("Done: the tokens are stored in the database, and the bot refreshes them from now "
          "on (a running bot picks them up within 5 minutes).")
    return 0


def code_from(pasted: str, state: str) -> str | None:
    """The code in a pasted redirect address (whose state must match), or a bare code."""
    pasted = pasted.strip()
    if "?" not in pasted and "=" not in pasted:
        return pasted or None
    query = parse_qs(urlparse(pasted).query if "?" in pasted else pasted)
    codes, states = query.get("code"), query.get("state")
    if not codes or (states and not secrets.compare_digest(states[0], state)):
        return None
    return codes[0]
