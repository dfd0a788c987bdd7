"""Is a webhook really from Zalo? `X-ZEvent-Signature: mac=<hex>`, where hex is the plain
SHA-256 (not an HMAC) of app id + the raw body + the body's `timestamp` + the OA secret key.

The hash covers the body's bytes exactly as they arrived: a body parsed and written out again
(same JSON, other spacing or key order) no longer matches, and must not (ZALO-NOTES §2.2).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Any

from bot.web.json_body import parse_json

HEADER = "X-ZEvent-Signature"
PREFIX = "mac="
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?([0-9]{1,16})"?')
MAX_CANDIDATES = 4  # a body naming more timestamps than this is not one Zalo sends


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
    """The parsed event if `raw` carries Zalo's signature and is recent enough.

    Nothing is parsed before the signature holds: the timestamp it covers is read from the
    raw bytes, so a forged body (however deep, however broken) costs one hash and is refused.
    """
    if not header:
        return Rejection.MISSING
    candidates = [m.group(1).decode() for m in islice(_TIMESTAMP.finditer(raw), MAX_CANDIDATES)]
    if not candidates:
        return Rejection.MALFORMED  # nothing Zalo could have signed
    given = header.strip()
    if not given.startswith(PREFIX):  # some senders leave the prefix out
        given = PREFIX + given
    given_bytes = given.lower().encode()
    timestamp = next((candidate for candidate in candidates if hmac.compare_digest(
        given_bytes, sign(raw, app_id=app_id, secret_key=secret_key,
                          timestamp=candidate).encode())), None)
    if timestamp is None:
        return Rejection.WRONG
    try:
        event = parse_json(raw)
    except ValueError:
        return Rejection.MALFORMED
    stamped = event.get("timestamp") if isinstance(event, dict) else None
    if isinstance(stamped, bool) or str(stamped) != timestamp:
        return Rejection.MALFORMED  # the signed timestamp was not the event's own
    age = now_ms - int(timestamp)
    if age > max_age_ms or age < -max_skew_ms:
        return Rejection.STALE
    return Verified(event, int(timestamp))
