"""Is a webhook really from Zalo? `X-ZEvent-Signature: mac=<hex>`, where hex is the plain
SHA-256 (not an HMAC) of app id + the raw body + the body's `timestamp` + the OA secret key.

The hash covers the body's bytes exactly as they arrived: a body parsed and written out again
(same JSON, other spacing or key order) no longer matches, and must not (ZALO-NOTES §2.2).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

HEADER = "X-ZEvent-Signature"
PREFIX = "mac="


class Rejection(StrEnum):
    MISSING = "missing"  # no signature header: 401
    MALFORMED = "malformed"  # a body that is not a JSON object with a timestamp: 400
    WRONG = "wrong"  # the signature does not match: 403
    STALE = "stale"  # signed, but too old (or from the future): 403


@dataclass(frozen=True)
class Verified:
    event: dict[str, Any]
    timestamp_ms: int


def sign(raw: bytes, *, app_id: str, secret_key: str, timestamp: str) -> str:
    """The header value Zalo sends for `raw` (the fake server signs with this too)."""
    digest = hashlib.sha256(app_id.encode() + raw + timestamp.encode() + secret_key.encode())
    return PREFIX + digest.hexdigest()


def verify(raw: bytes, header: str | None, *, app_id: str, secret_key: str, now_ms: int,
           max_age_ms: int, max_skew_ms: int = 300_000) -> Verified | Rejection:
    """The parsed event if `raw` carries Zalo's signature and is recent enough."""
    if not header:
        return Rejection.MISSING
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return Rejection.MALFORMED
    timestamp = event.get("timestamp") if isinstance(event, dict) else None
    if isinstance(timestamp, int) and not isinstance(timestamp, bool):
        timestamp = str(timestamp)
    if not isinstance(timestamp, str) or not timestamp.isdigit() or len(timestamp) > 16:
        return Rejection.MALFORMED
    expected = sign(raw, app_id=app_id, secret_key=secret_key, timestamp=timestamp)
    given = header.strip()
    if not given.startswith(PREFIX):  # some senders leave the prefix out
        given = PREFIX + given
    if not hmac.compare_digest(given.lower().encode(), expected.encode()):
        return Rejection.WRONG
    age = now_ms - int(timestamp)
    if age > max_age_ms or age < -max_skew_ms:
        return Rejection.STALE
    return Verified(event, int(timestamp))
