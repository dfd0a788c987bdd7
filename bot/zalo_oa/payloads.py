"""Button payloads: what a tap on an `oa.query.hide` button sends back as the person's text.

A tap arrives as an ordinary `user_send_text` whose text is the payload (ZALO-NOTES §2.2), so a
payload must be told apart from anything a person could type, and must carry the question it
answers and the option picked. It is short ASCII: ``#<token>:<value, %-escaped>.<check>``,
where the check is a truncated HMAC (OA secret key) over the user, token and value. A text
that looks like a payload but fails the check is just text.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import quote, unquote

MAX_PAYLOAD = 1000  # oa.query.* payloads take up to 1,000 characters (ZALO-NOTES §2.3)
_CHECK_CHARS = 10
_SHAPE = re.compile(r"^#([A-Za-z0-9_-]{1,32}):([!-~]{0,900})\.([0-9a-f]{10})$")


class PayloadCodec:
    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def encode(self, user_id: str, token: str, value: str) -> str:
        escaped = quote(value, safe="")
        payload = f"#{token}:{escaped}.{self._check(user_id, token, value)}"
        if len(payload) > MAX_PAYLOAD or not _SHAPE.match(payload):
            raise ValueError(f"button payload cannot carry {token!r}/{value[:40]!r}")
        return payload

    def decode(self, user_id: str, text: str) -> tuple[str, str] | None:
        """(token, value) if `text` is a payload we issued to this user, else None."""
        found = _SHAPE.match(text.strip())
        if found is None:
            return None
        token, escaped, check = found.groups()
        value = unquote(escaped)
        if not hmac.compare_digest(check, self._check(user_id, token, value)):
            return None
        return token, value

    def _check(self, user_id: str, token: str, value: str) -> str:
        message = f"{user_id}\x1f{token}\x1f{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:_CHECK_CHARS]
