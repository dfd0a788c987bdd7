"""What the fake records: calls the bot made, files it uploaded, messages it showed, faults to
inject and updates waiting for getUpdates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_api.common import (
    JSON,
    ChatKey,
)


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class UploadedFile:
    """A multipart file part of a request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.field!r}, {self.filename!r}, {len(self.data)} bytes)"


@dataclass(eq=False)
class RecordedCall:
    """One Bot API request as the fake saw it.

    ``params`` has JSON form fields decoded (reply_markup, media, ...) and
    uploaded files as ``UploadedFile`` values.  ``status`` is the HTTP status
    (0 = the fake never answered, see ``FakeTelegram.fail``).  ``response`` is
    the JSON body sent back (None for hangs and HTML 502/504 pages).
    """

    method: str
    params: JSON
    chat_id: ChatKey | None
    at: float  # time.monotonic() when the request arrived
    status: int | None = None
    response: JSON | None = None
    files: dict[str, UploadedFile] = field(default_factory=dict)
    client_port: int | None = None
    """The TCP port the request came from: which process made it (tests/support/processes.py)."""

    @property
    def time(self) -> float:
        """Alias of ``at`` (time.monotonic() on arrival)."""
        return self.at

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")

    @property
    def description(self) -> str | None:
        return (self.response or {}).get("description")

    def __repr__(self) -> str:
        extra = f" {self.description}" if self.description else ""
        return f"<{self.method} chat={self.chat_id} -> {self.status}{extra}>"


@dataclass(eq=False)
class BotMessage:
    """A message the bot put into a chat (one per album item).

    ``text`` is the text or caption exactly as sent (HTML tags included);
    ``plain_text`` is what the user sees.  Edits update ``text`` /
    ``reply_markup`` in place and push the previous state onto ``edits``.
    """

    chat_id: ChatKey
    message_id: int
    method: str
    kind: str  # text | photo | document | video | audio | location
    text: str | None
    plain_text: str | None
    parse_mode: str | None
    reply_markup: JSON | None
    params: JSON
    payload: JSON  # the Message object returned to the bot, kept current
    media_group_id: str | None = None
    edits: list[JSON] = field(default_factory=list)
    deleted: bool = False

    @property
    def inline_keyboard(self) -> list[list[JSON]]:
        return list((self.reply_markup or {}).get("inline_keyboard") or [])

    @property
    def buttons(self) -> list[str]:
        """Flat list of inline button texts."""
        return [b.get("text", "") for row in self.inline_keyboard for b in row]

    @property
    def keyboard(self) -> list[JSON]:
        """Flat list of reply-keyboard buttons (strings normalised to {"text": ...})."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [b if isinstance(b, dict) else {"text": str(b)} for row in rows for b in row]

    @property
    def photo(self) -> list[JSON] | None:
        return self.payload.get("photo")

    @property
    def document(self) -> JSON | None:
        return self.payload.get("document")

    @property
    def location(self) -> JSON | None:
        return self.payload.get("location")

    @property
    def voice(self) -> JSON | None:
        return self.payload.get("voice")

    def button(self, label: str) -> JSON:
        """The inline button whose text or callback_data equals ``label``."""
        for row in self.inline_keyboard:
            for b in row:
                if label in (b.get("text"), b.get("callback_data")):
                    return b
        raise LookupError(
            f"no inline button {label!r} on message #{self.message_id}; buttons: {self.buttons}"
        )

    def __repr__(self) -> str:
        body = (self.text or "").replace("\n", "⏎")
        if len(body) > 60:
            body = body[:57] + "..."
        bits = [f"#{self.message_id}", self.method, repr(body)]
        if self.buttons:
            bits.append(f"buttons={self.buttons}")
        if self.keyboard:
            bits.append(f"keyboard={[b.get('text') for b in self.keyboard]}")
        if self.edits:
            bits.append(f"edits={len(self.edits)}")
        if self.deleted:
            bits.append("DELETED")
        return f"<BotMessage {' '.join(bits)}>"


@dataclass(eq=False)
class _FaultRule:
    method: str
    status: int
    times: int
    retry_after: int | None
    chat_id: ChatKey | None
    description: str | None

    def matches(self, call: RecordedCall) -> bool:
        if self.method not in ("*", call.method):
            return False
        return self.chat_id is None or self.chat_id == call.chat_id


@dataclass(eq=False)
class _Queued:
    update: JSON
    forced: bool = False  # a redelivered copy: survives the offset until fetched once

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])
