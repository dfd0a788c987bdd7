"""Zalo's OAuth v4 for Official Accounts: the consent page (PKCE), the first grant, refreshes.

`POST {oauth}/v4/oa/access_token`, form-encoded, header `secret_key: <app secret>`; the answer
is `{access_token, refresh_token, expires_in: "90000"}` (seconds, as a string), and an error is
`{error: <negative>, error_name?, error_description?}` (ZALO-NOTES §2.1). Lifetimes: access
token about 25 h (trust `expires_in`), refresh token 3 months and single-use, code 10 minutes.
No token ever appears in a log line or an exception message.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import aiohttp

from bot import proxies as proxy_routes

REFRESH_TOKEN_LIFETIME = timedelta(days=90)
DEFAULT_EXPIRES_IN = 3600  # if Zalo ever leaves `expires_in` out: refresh early rather than late


@dataclass(frozen=True)
class Grant:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds


class OAuthRejected(Exception):
    """Zalo refused the grant: the refresh token (or code) is used, expired or wrong. Someone
    must run `dvk oa-auth` again if it persists."""

    def __init__(self, code: int | None, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description


class OAuthUnavailable(Exception):
    """Zalo could not be asked (network, timeout, 5xx): the refresh token was probably not
    spent; try again later."""


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, code_challenge): S256, base64url without padding (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)[:64]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def permission_url(oauth_base_url: str, *, app_id: str, redirect_uri: str, code_challenge: str,
                   state: str) -> str:
    query = urlencode({"app_id": app_id, "redirect_uri": redirect_uri,
                       "code_challenge": code_challenge, "state": state})
    return f"{oauth_base_url.rstrip('/')}/v4/oa/permission?{query}"


class OAuthClient:
    def __init__(self, base_url: str, *, app_id: str, app_secret: str,
                 timeout: float = 15.0, proxies: proxy_routes.Proxies | None = None) -> None:
        self.url = f"{base_url.rstrip('/')}/v4/oa/access_token"
        self._proxies = proxies or proxy_routes.Proxies()
        self.app_id = app_id
        self._secret = app_secret
        self.timeout = timeout

    async def refresh(self, refresh_token: str) -> Grant:
        return await self._token({"app_id": self.app_id, "grant_type": "refresh_token",
                                  "refresh_token": refresh_token})

    async def exchange_code(self, code: str, code_verifier: str) -> Grant:
        return await self._token({"app_id": self.app_id, "grant_type": "authorization_code",
                                  "code": code, "code_verifier": code_verifier})

    async def _token(self, form: dict[str, str]) -> Grant:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            session, proxy = proxy_routes.session(self.url, self._proxies, timeout=timeout)
            async with session, session.post(self.url, data=form, proxy=proxy,
                                             headers={"secret_key": self._secret}) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise OAuthUnavailable(type(error).__name__) from None
        if status >= 500 or status == 429:
            raise OAuthUnavailable(f"HTTP {status}")
        if not isinstance(body, dict):
            raise OAuthUnavailable(f"HTTP {status}: answer is not JSON")
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if isinstance(access, str) and access and isinstance(refresh, str) and refresh:
            return Grant(access, refresh, _seconds(body.get("expires_in")))
        code = body.get("error")
        description = (body.get("error_description") or body.get("error_reason")
                       or body.get("error_name") or body.get("message") or f"HTTP {status}")
        raise OAuthRejected(int(code) if _is_int(code) else None, str(description)[:300])


def _seconds(value: object) -> int:
    """`expires_in` comes as a string ("90000"); accept a number too."""
    try:
        seconds = int(str(value).strip())
    except (TypeError, ValueError):
        return DEFAULT_EXPIRES_IN
    return seconds if seconds > 0 else DEFAULT_EXPIRES_IN


def _is_int(value: object) -> bool:
    try:
        int(str(value))
    except (TypeError, ValueError):
        return False
    return True
