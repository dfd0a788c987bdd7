"""A fake Telegram Bot API server for end-to-end tests.

Why an HTTP server and not a mocked ``Bot``: the real python-telegram-bot stack
(request encoding, multipart uploads, error mapping, long polling, file
download) is exercised unchanged, so a test fails for the same reasons the
production bot would fail against api.telegram.org.

Usage::

    async with FakeTelegram(token="123456:TEST") as fake:
        app = fake.application_builder().build()       # or Bot(**fake.bot_kwargs())
        alice = fake.user(1001, first_name="Lan", language_code="vi")
        alice.send_text("hello")
        ...                                            # run the app
        [reply] = await alice.wait_for_message()
        assert "Xin chào" in reply.text
        assert fake.errors == []

Three sides:

* user side (``FakeUser`` / ``enqueue``): synchronous helpers that queue updates
  for ``getUpdates``;
* bot side: ``calls``, ``messages(chat_id)``, ``wait_for_message``,
  ``wait_for_call``, ``delivered``, ``errors``;
* faults: ``fail(...)``, ``FakeTelegram(global_rate=..., per_chat_rate=...)``,
  ``FakeUser.block()``.

Error descriptions follow Telegram's wording where known; where Telegram's exact
string is not known the text is descriptive.  Tests should match on the
important words ("too long", "can't parse entities"), not on full strings.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import io
import itertools
import json
import math
import mimetypes
import random
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import ApplicationBuilder

ChatKey = int | str
JSON = dict[str, Any]

# --------------------------------------------------------------------------------------
# Telegram limits (Bot API docs / PTB constants)
# --------------------------------------------------------------------------------------
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MIN_MEDIA_GROUP, MAX_MEDIA_GROUP = 2, 10
MAX_CALLBACK_ANSWER_TEXT = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_FILE_UPLOAD = 50 * 1024 * 1024

# fmt: off
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})

#: Inline button fields of which exactly one must be present.
_BUTTON_ACTIONS = (
    "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "callback_game", "pay", "login_url", "web_app",
    "copy_text",
)

#: Form fields that are plain strings even when they look like JSON ("123", "true", "[x]").
_RAW_STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url",
    "action", "title", "address", "phone_number", "first_name", "last_name", "emoji",
    "description", "short_description", "name", "language_code", "secret_token",
    "ip_address", "file_id", "business_connection_id", "message_effect_id", "query",
    "photo", "document", "video", "audio", "voice", "sticker", "animation", "video_note",
    "thumbnail", "foursquare_id", "foursquare_type", "google_place_id", "google_place_type",
    "vcard", "question", "payload", "currency", "start_parameter",
})
# fmt: on


def _now() -> int:
    return int(time.time())


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _chat_key(value: Any) -> ChatKey:
    """Normalise a chat_id as PTB sends it ("123", 123, "@channel")."""
    if isinstance(value, FakeUser):
        return value.id
    if isinstance(value, bool):
        raise _bad("chat not found")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = str(value).strip()
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    return s


class _ApiError(Exception):
    """Raised inside method implementations; turned into an error response.

    ``simulated`` marks errors that model the outside world (blocked user,
    flood control, injected faults) rather than a mistake in the request, so
    they are not recorded in ``FakeTelegram.errors``.
    """

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        simulated: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.simulated = simulated


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------
# Telegram-flavoured HTML (parse_mode=HTML)
# --------------------------------------------------------------------------------------
# fmt: off
HTML_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
})
# fmt: on
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]*));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_RE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _decode_entity(match: re.Match[str]) -> str | None:
    dec, hexa, name = match.groups()
    if name is not None:
        return _NAMED_ENTITIES.get(name)
    code = int(dec) if dec is not None else int(hexa, 16)
    if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return None


def _unescape_lenient(value: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), value)


def telegram_html_to_text(text: str, *, strict_ampersand: bool = True) -> str:
    """Validate ``text`` like Telegram's HTML parser and return the visible plain text.

    Raises ``ValueError`` with Telegram's description (without the "Bad Request: "
    prefix).  Only the tags Telegram supports are accepted; ``<br>``, ``<p>``,
    ``<div>``... and a raw ``<`` are errors, as on the real server.

    ``strict_ampersand``: the real server keeps a bare ``&`` that is not an
    entity as a literal character.  The fake rejects it by default, because a
    bare ``&`` almost always means user input was not passed through
    ``html.escape`` (and the same input would break on ``<``).  Attribute values
    (``href="...?a=1&b=2"``) are always lenient.
    """
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)

    def at(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    prefix = "can't parse entities: "
    while i < n:
        ch = text[i]
        if ch == "&":
            m = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(m) if m else None
            if m is not None and decoded is not None:
                out.append(decoded)
                i = m.end()
                continue
            if strict_ampersand:
                raise ValueError(
                    f'{prefix}Character "&" at byte offset {at(i)} does not start an HTML '
                    "entity; escape it as &amp;"
                )
            out.append(ch)
            i += 1
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        end = text.find(">", i + 1)
        if end == -1:
            raise ValueError(f"{prefix}Unclosed start tag at byte offset {at(i)}")
        body = text[i + 1 : end]
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise ValueError(f"{prefix}Unexpected end tag at byte offset {at(i)}")
            if name and name != stack[-1]:
                raise ValueError(
                    f"{prefix}Unmatched end tag at byte offset {at(i)}, expected "
                    f'"</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
        else:
            name_match = re.match(r"[^\s/>]*", body)
            assert name_match is not None
            name = name_match.group(0).lower()
            if name not in HTML_TAGS:
                raise ValueError(f'{prefix}Unsupported start tag "{name}" at byte offset {at(i)}')
            attrs = {
                m.group(1).lower(): _unescape_lenient(
                    next((g for g in m.groups()[1:] if g is not None), "")
                )
                for m in _ATTR_RE.finditer(body, name_match.end())
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise ValueError(
                    f'{prefix}Tag "span" must have class "tg-spoiler" at byte offset {at(i)}'
                )
            if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
                raise ValueError(f"{prefix}Invalid custom emoji identifier specified")
            stack.append(name)
        i = end + 1
    if stack:
        raise ValueError(f'{prefix}Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


# --------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------
_jpeg_seq = itertools.count(1)


def _voice_mime(data: bytes) -> str | None:
    """What Telegram plays as a voice message: OGG/Opus, MP3, M4A (None: something else)."""
    if data.startswith(b"OggS") and b"OpusHead" in data[:200]:
        return "audio/ogg"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if data[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def make_jpeg(seed: int | None = None, size: tuple[int, int] = (400, 300)) -> bytes:
    """A small valid JPEG, different for every call (or reproducible with ``seed``).

    The seed is drawn as 32 black/white blocks so two seeds never produce the
    same picture, which keeps content hashes (duplicate-photo checks) distinct.
    """
    from PIL import Image, ImageDraw

    seed = next(_jpeg_seq) if seed is None else seed
    rng = random.Random(seed)
    width, height = size
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(10, width // 2 + 11), y0 + rng.randrange(10, height // 2 + 11)
        draw.rectangle((x0, y0, x1, y1), fill=tuple(rng.randrange(256) for _ in range(3)))
    block = max(1, width // 32)
    for bit in range(32):
        shade = 255 if (seed >> bit) & 1 else 0
        draw.rectangle((bit * block, 0, bit * block + block - 1, block - 1), fill=(shade,) * 3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _photo_variants(data: bytes) -> list[tuple[bytes, int, int]]:
    """Three (bytes, width, height) sizes like Telegram's: 90px, 320px, original last.

    Raises ``ValueError`` when the bytes are not an image.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        original = Image.open(io.BytesIO(data))
        original.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("not an image") from exc
    variants: list[tuple[bytes, int, int]] = []
    for side in (90, 320):
        img = original.convert("RGB")
        img.thumbnail((side, side))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
        variants.append((buf.getvalue(), img.width, img.height))
    variants.append((data, original.width, original.height))
    return variants


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
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None
    file_path: str
    meta: JSON
    photo_sizes: list[JSON] | None = None

    def as_object(self) -> JSON:
        obj: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.data is not None:
            obj["file_size"] = len(self.data)
        obj.update(self.meta)
        return obj


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


# --------------------------------------------------------------------------------------
# User side
# --------------------------------------------------------------------------------------
class FakeUser:
    """A Telegram user in a private chat with the bot.

    The ``send_*`` / ``press*`` helpers are synchronous: they only queue an
    update (returned value: its update_id); the bot receives it on its next
    ``getUpdates``.
    """

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self._fake = fake
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code

    @property
    def chat_id(self) -> int:
        return self.id

    def as_dict(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                user[key] = getattr(self, key)
        return user

    def chat(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat

    # --- what the bot shows this user -------------------------------------------------
    @property
    def inbox(self) -> list[BotMessage]:
        return self._fake.messages(self.id)

    @property
    def last(self) -> BotMessage:
        inbox = self.inbox
        if not inbox:
            raise AssertionError(f"the bot has not sent anything to user {self.id}")
        return inbox[-1]

    async def wait_for_message(
        self,
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> list[BotMessage]:
        return await self._fake.wait_for_message(self.id, count, timeout, since=since)

    def block(self) -> None:
        """From now on sends to this user fail with 403 "bot was blocked by the user"."""
        self._fake._blocked.add(self.id)

    def unblock(self) -> None:
        self._fake._blocked.discard(self.id)

    # --- what this user does -------------------------------------------------------------
    def send_text(self, text: str, *, reply_to_message_id: int | None = None) -> int:
        content: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        if reply_to_message_id is not None:
            content["reply_to_message"] = self._fake._any_message_payload(
                self.id, reply_to_message_id
            )
        return self._fake._enqueue_user_message(self, content)

    def send_command(self, command: str, payload: str | None = None) -> int:
        text = "/" + command.lstrip("/")
        return self.send_text(f"{text} {payload}" if payload else text)

    def press(self, label: str, *, message_id: int | None = None) -> int:
        """Press the inline button with this text (or callback_data).

        Looks at message ``message_id`` or, by default, the latest bot message in
        this chat that has an inline keyboard.
        """
        msg = self._fake._keyboard_message(self.id, message_id)
        button = msg.button(label)
        if "callback_data" not in button:
            kinds = [k for k in _BUTTON_ACTIONS if k in button]
            raise ValueError(f"button {label!r} sends no callback query (it is a {kinds} button)")
        return self._fake._enqueue_callback(self, msg.payload, button["callback_data"])

    def press_data(self, data: str, message_id: int | None = None) -> int:
        """A callback query with arbitrary data: forged, stale or for an old message."""
        if message_id is None:
            try:
                payload = self._fake._keyboard_message(self.id, None).payload
            except LookupError:
                sent = [m for m in self.inbox if not m.deleted]
                if not sent:
                    raise LookupError(
                        f"no bot message in chat {self.id} to attach data to"
                    ) from None
                payload = sent[-1].payload
        else:
            msg = self._fake._message_index.get((self.id, message_id))
            if msg is not None and not msg.deleted:
                payload = msg.payload
            else:  # InaccessibleMessage, as Telegram sends for deleted/old messages
                payload = {"chat": self.chat(), "message_id": message_id, "date": 0}
        return self._fake._enqueue_callback(self, payload, data)

    def send_photo(
        self,
        image: bytes | None = None,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> int:
        data = make_jpeg() if image is None else image
        content: JSON = {"photo": self._fake._register_photo(data, lenient=True)}
        if caption is not None:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return self._fake._enqueue_user_message(self, content)

    def send_album(self, n: int, caption: str | None = None) -> list[int]:
        """``n`` photo updates sharing one media_group_id; the caption rides on the first."""
        group = str(next(self._fake._media_group_seq))
        return [
            self.send_photo(caption=caption if i == 0 else None, media_group_id=group)
            for i in range(n)
        ]

    def send_document(
        self,
        data: bytes,
        mime_type: str = "image/jpeg",
        file_name: str = "x.jpg",
        caption: str | None = None,
    ) -> int:
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self._fake._store_file(
            "document", data, ext=ext, meta={"file_name": file_name, "mime_type": mime_type}
        )
        content: JSON = {"document": stored.as_object()}
        if caption is not None:
            content["caption"] = caption
        return self._fake._enqueue_user_message(self, content)

    def send_sticker(self, emoji: str = "👍") -> int:
        stored = self._fake._store_file(
            "sticker",
            b"RIFF\x00\x00\x00\x00WEBPfake-sticker",
            ext="webp",
            meta={
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            },
        )
        return self._fake._enqueue_user_message(self, {"sticker": stored.as_object()})

    def send_voice(self, duration: int = 3, data: bytes | None = None) -> int:
        stored = self._fake._store_file(
            "voice",
            data or b"OggS\x00fake-voice",
            ext="oga",
            meta={"duration": duration, "mime_type": "audio/ogg"},
        )
        return self._fake._enqueue_user_message(self, {"voice": stored.as_object()})

    def send_video(self, data: bytes, *, duration: int, width: int = 320, height: int = 240,
                   mime_type: str = "video/mp4", caption: str | None = None) -> int:
        """A video as the Bot API delivers one (`Video`: width, height, duration, mime_type,
        file_size); `getFile` refuses it past 20 MB ("file is too big"), as the real server
        does without --local."""
        stored = self._fake._store_file(
            "video", data, ext="mp4",
            meta={"width": width, "height": height, "duration": duration, "mime_type": mime_type},
        )
        content: JSON = {"video": stored.as_object()}
        if caption is not None:
            content["caption"] = caption
        return self._fake._enqueue_user_message(self, content)

    def send_video_note(self, duration: int = 5, data: bytes | None = None) -> int:
        stored = self._fake._store_file(
            "video_note",
            data or b"\x00\x00\x00\x18ftypmp42fake-video-note",
            ext="mp4",
            meta={"length": 240, "duration": duration},
        )
        return self._fake._enqueue_user_message(self, {"video_note": stored.as_object()})

    def send_location(
        self,
        latitude: float,
        longitude: float,
        *,
        live_period: int | None = None,
    ) -> int:
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return self._fake._enqueue_user_message(self, {"location": location})

    def move_live_location(self, message_id: int, latitude: float, longitude: float) -> int:
        """A live-location update: Telegram sends it as ``edited_message``."""
        original = self._fake._user_messages.get((self.id, message_id))
        if original is None or "location" not in original:
            raise LookupError(f"user message #{message_id} is not a location")
        edited = copy.deepcopy(original)
        edited["location"].update(latitude=latitude, longitude=longitude)
        edited["edit_date"] = _now()
        self._fake._user_messages[(self.id, message_id)] = edited
        return self._fake.enqueue({"edited_message": edited})

    def send_venue(self, latitude: float, longitude: float, title: str, address: str) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        venue = {"location": location, "title": title, "address": address}
        # Telegram also fills ``location`` on venue messages (backward compatibility).
        return self._fake._enqueue_user_message(self, {"venue": venue, "location": location})

    def send_contact(
        self,
        phone_number: str,
        *,
        own: bool = True,
        first_name: str | None = None,
    ) -> int:
        contact: JSON = {"phone_number": phone_number, "first_name": first_name or self.first_name}
        if own:
            contact["user_id"] = self.id
            if self.last_name:
                contact["last_name"] = self.last_name
        return self._fake._enqueue_user_message(self, {"contact": contact})

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.first_name!r}>"


# --------------------------------------------------------------------------------------
# Request parsing
# --------------------------------------------------------------------------------------
def _decode_field(name: str, value: str) -> Any:
    """PTB sends non-string values JSON-encoded inside form fields."""
    if name in _RAW_STRING_FIELDS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    params: JSON = {k: _decode_field(k, v) for k, v in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.body_exists:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise _bad("request body must be a JSON object")
            params.update(body)
        else:  # application/x-www-form-urlencoded or multipart/form-data
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                else:
                    params[key] = _decode_field(key, str(value))
    for key, uploaded in files.items():
        params.setdefault(key, uploaded)
    if params.get("chat_id") not in (None, ""):
        params["chat_id"] = _chat_key(params["chat_id"])
    return params, files


def _error_body(status: int, description: str, retry_after: int | None = None) -> JSON:
    body: JSON = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


_DEFAULT_FAULT_TEXT = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    500: "Internal Server Error",
}

_GATEWAY_PAGE = (
    "<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------
class FakeTelegram:
    """The fake Bot API server plus the user-side and assertion helpers.

    Args:
        token: the only token accepted (others get 401).
        global_rate / per_chat_rate: if set, sends beyond this many per sliding
            second (all chats / one chat) get 429 with ``retry_after``.
        strict_chats: if True, sending to a chat no ``user()`` created is
            "400 chat not found"; otherwise such chats are created on the fly.
        strict_html_ampersand: see ``telegram_html_to_text``.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_username: str = "dvk_test_bot",
        bot_first_name: str = "Dân Vận Khéo (test)",
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        strict_chats: bool = False,
        strict_html_ampersand: bool = True,
    ) -> None:
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(bot_id) if bot_id.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.strict_chats = strict_chats
        self.strict_html_ampersand = strict_html_ampersand

        # bot side: what the bot did
        self.calls: list[RecordedCall] = []
        self.errors: list[RecordedCall] = []
        self.n429 = 0
        self.callback_answers: dict[str, JSON] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[ChatKey | None, JSON] = {}
        self.profile: JSON = {"name": bot_first_name, "description": "", "short_description": ""}
        self.webhook: JSON | None = None

        # chats & messages
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[ChatKey, JSON] = {}
        self._blocked: set[ChatKey] = set()
        self._next_mid: dict[ChatKey, int] = {}
        self._bot_messages: dict[ChatKey, list[BotMessage]] = {}
        self._chat_waiters: dict[ChatKey, list[asyncio.Future[None]]] = {}
        self._message_index: dict[tuple[ChatKey, int], BotMessage] = {}
        self._user_messages: dict[tuple[ChatKey, int], JSON] = {}
        self._callbacks: dict[str, tuple[int, ChatKey]] = {}  # query id -> (update_id, chat)

        # updates
        self._update_seq = 0
        self._all_updates: dict[int, JSON] = {}
        self._queue: list[_Queued] = []
        self._delivery_count: dict[int, int] = {}
        self.waiting_pollers = 0

        # files
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._media_group_seq = itertools.count(13_000_000_000_000_001)
        self._callback_seq = itertools.count(4_200_000_000_000_000_001)

        # faults and rates
        self._faults: list[_FaultRule] = []
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[ChatKey, deque[float]] = {}

        # async plumbing (asyncio primitives bind to the running loop on first use)
        self._changed = asyncio.Condition()
        self._new_updates = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self._methods: dict[str, Callable[[RecordedCall], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyName": self._set_profile("name"),
            "setMyDescription": self._set_profile("description"),
            "setMyShortDescription": self._set_profile("short_description"),
            "getMyName": self._get_profile("name"),
            "getMyDescription": self._get_profile("description"),
            "getMyShortDescription": self._get_profile("short_description"),
            "logOut": self._true,
            "close": self._true,
            "getChat": self._get_chat,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendVoice": self._send_voice,
            "sendMediaGroup": self._send_media_group,
            "sendLocation": self._send_location,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
        }
        # Telegram method names are case-insensitive.
        self._method_names = {name.lower(): name for name in self._methods}

    # ==================================================================================
    # lifecycle
    # ==================================================================================
    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=MAX_FILE_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a client that gives up (timeout, PTB stopping its
        # poller) cancels the handler, so a long poll never "delivers" to nobody.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Release long polls and hung requests, then close the server."""
        self._closing.set()
        self._new_updates.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``Bot(base_file_url=...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def bot_kwargs(self) -> JSON:
        return {
            "token": self.token,
            "base_url": self.base_url,
            "base_file_url": self.file_base_url,
        }

    def bot(self, **kwargs: Any) -> Bot:
        """A real ``telegram.Bot`` pointed at this fake (use ``async with bot:``)."""
        from telegram import Bot

        return Bot(**self.bot_kwargs(), **kwargs)

    def application_builder(self) -> ApplicationBuilder:
        """A real ``ApplicationBuilder`` with token, base_url and base_file_url set."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.file_base_url)
        )

    # ==================================================================================
    # user side
    # ==================================================================================
    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
    ) -> FakeUser:
        """The user with this id (created on first call) and its private chat."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(
            self,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = user
        self._chats[user_id] = user.chat()
        return user

    def enqueue(self, update: JSON) -> int:
        """Queue a raw update; a missing ``update_id`` gets the next one.  Returns it."""
        update = copy.deepcopy(update)
        if "update_id" in update:
            update_id = int(update["update_id"])
            self._update_seq = max(self._update_seq, update_id)
        else:
            self._update_seq += 1
            update_id = self._update_seq
            update = {"update_id": update_id, **update}
        self._all_updates[update_id] = copy.deepcopy(update)
        self._queue.append(_Queued(update))
        self._new_updates.set()
        return update_id

    def raw_update(self, update_id: int) -> JSON:
        """A copy of the update as it was queued."""
        return copy.deepcopy(self._all_updates[update_id])

    def redeliver(self, update_id: int) -> int:
        """Queue an identical copy of an earlier update (Telegram/webhook retry).

        The copy is served even though the bot's offset is already past it.
        """
        self._queue.append(_Queued(self.raw_update(update_id), forced=True))
        self._new_updates.set()
        return update_id

    @property
    def pending_updates(self) -> list[int]:
        """update_ids queued and not yet confirmed by an offset."""
        return [q.update_id for q in self._queue]

    def file_bytes(self, file_id: str) -> bytes | None:
        stored = self._files.get(file_id)
        return None if stored is None else stored.data

    # ==================================================================================
    # bot side: assertions
    # ==================================================================================
    def messages(self, chat_id: Any, *, include_deleted: bool = True) -> list[BotMessage]:
        """Everything the bot showed in this chat, in order (album items one by one)."""
        msgs = self._bot_messages.get(_chat_key(chat_id), [])
        return [m for m in msgs if include_deleted or not m.deleted]

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def answer_for(self, update_id: int) -> JSON | None:
        """The answerCallbackQuery params for the callback query in that update."""
        query = self._all_updates.get(update_id, {}).get("callback_query")
        return None if query is None else self.callback_answers.get(query["id"])

    async def wait_for_message(
        self,
        chat_id: Any,
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> list[BotMessage]:
        """Wait until ``count`` new messages arrived in the chat; return all new ones.

        "New" means after index ``since`` in ``messages(chat_id)``, by default the
        number of messages when this call started.  On timeout raises
        ``AssertionError`` describing what did arrive and any errors.
        """
        key = _chat_key(chat_id)
        start = len(self.messages(key)) if since is None else since

        def ready() -> bool:
            return len(self._bot_messages.get(key, [])) - start >= count

        # Waiters are kept per chat, so a message wakes only those waiting on its chat
        # (with hundreds of simulated users, one shared condition would wake them all).
        try:
            async with asyncio.timeout(timeout):
                while not ready():
                    woken = asyncio.get_running_loop().create_future()
                    self._chat_waiters.setdefault(key, []).append(woken)
                    await woken
        except TimeoutError:
            raise AssertionError(
                f"expected {count} new message(s) in chat {key} within {timeout}s, got "
                f"{len(self.messages(key)) - start}\n" + self.dump(key, since=start)
            ) from None
        return self.messages(key)[start:]

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] | None = None,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> RecordedCall:
        """Wait for a completed call to ``method`` (matching ``predicate``) after index
        ``since`` in ``calls`` (default: calls completed after this call started)."""
        start = len(self.calls) if since is None else since
        found: list[RecordedCall] = []

        def ready() -> bool:
            for call in self.calls[start:]:
                if call.method == method and (predicate is None or predicate(call)):
                    found.append(call)
                    return True
            return False

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(ready)
        except TimeoutError:
            seen = "\n".join(f"  {c!r}" for c in self.calls[start:][-20:]) or "  (none)"
            raise AssertionError(
                f"no matching {method} call within {timeout}s; calls seen:\n{seen}"
            ) from None
        return found[0]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0, *,
                         what: str = "the condition") -> None:
        """Wait until ``condition()`` holds, checked again after every call the fake answers
        (a count across chats, a keyboard that may come in a new message or by an edit)."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(condition)
        except TimeoutError:
            raise AssertionError(f"not within {timeout}s: {what}") from None

    async def delivered(self, update_id: int, timeout: float = 5.0, *, times: int = 1) -> None:
        """Wait until a getUpdates response has carried this update ``times`` times."""

        def ready() -> bool:
            return self._delivery_count.get(update_id, 0) >= times

        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(ready)
        except TimeoutError:
            raise AssertionError(
                f"update {update_id} not fetched by getUpdates within {timeout}s "
                f"(pending: {self.pending_updates}, pollers waiting: {self.waiting_pollers})"
            ) from None

    async def wait_until_polling(self, timeout: float = 5.0) -> None:
        """Wait until some getUpdates long poll is parked waiting for updates."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(lambda: self.waiting_pollers > 0)
        except TimeoutError:
            raise AssertionError(f"nobody long-polled getUpdates within {timeout}s") from None

    def dump(self, chat_id: Any = None, *, since: int = 0) -> str:
        """Readable state for failure messages: chat messages, errors, recent calls."""
        lines: list[str] = []
        if chat_id is not None:
            key = _chat_key(chat_id)
            msgs = self.messages(key)
            lines.append(f"messages in chat {key} (from index {since}):")
            lines += [f"  [{i}] {m!r}" for i, m in enumerate(msgs) if i >= since] or ["  (none)"]
            calls = [c for c in self.calls if c.chat_id == key][-10:]
        else:
            calls = self.calls[-10:]
        lines.append("errors (4xx the fake returned):")
        lines += [f"  {c!r}" for c in self.errors[-10:]] or ["  (none)"]
        lines.append("recent calls:")
        lines += [f"  {c!r}" for c in calls] or ["  (none)"]
        return "\n".join(lines)

    # ==================================================================================
    # fault injection
    # ==================================================================================
    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        chat_id: Any = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` ("*" = any) fail with ``status``.

        429 carries ``parameters.retry_after`` (default 1); 403 says the bot was
        blocked; 502/504 answer an nginx HTML page (PTB: NetworkError); status 0
        never answers until the client gives up or the fake stops.  Rules are
        used in the order they were added; ``chat_id`` limits a rule to one chat.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.append(
            _FaultRule(
                method,
                status,
                times,
                retry_after,
                None if chat_id is None else _chat_key(chat_id),
                description,
            )
        )

    def _take_fault(self, call: RecordedCall) -> _FaultRule | None:
        for rule in self._faults:
            if rule.matches(call):
                rule.times -= 1
                if rule.times <= 0:
                    self._faults.remove(rule)
                return rule
        return None

    def _admit_send(self, chat: ChatKey, n: int = 1) -> None:
        """Sliding one-second windows; an idle window always admits (bursts of albums)."""
        now = time.monotonic()
        waits: list[float] = []
        windows: list[tuple[deque[float], float]] = []
        if self.global_rate is not None:
            windows.append((self._global_window, self.global_rate))
        if self.per_chat_rate is not None:
            windows.append((self._chat_windows.setdefault(chat, deque()), self.per_chat_rate))
        for window, rate in windows:
            while window and window[0] <= now - 1.0:
                window.popleft()
            if window and len(window) + n > rate:
                # when enough of the window expires for this send to fit
                idx = min(len(window) - 1, max(0, len(window) + n - int(rate) - 1))
                waits.append(window[idx] + 1.0 - now)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise _ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                retry_after=retry_after,
                simulated=True,
            )
        for window, _ in windows:
            window.extend([now] * n)

    # ==================================================================================
    # HTTP layer
    # ==================================================================================
    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        raw_method = request.match_info["method"]
        method = self._method_names.get(raw_method.lower(), raw_method)
        try:
            params, files = await _read_params(request)
        except _ApiError as exc:
            call = RecordedCall(method, {}, None, arrived)
            return await self._finish(call, exc.status, _error_body(exc.status, exc.description))
        except ValueError:
            call = RecordedCall(method, {}, None, arrived)
            return await self._finish(
                call, 400, _error_body(400, "Bad Request: invalid request body")
            )
        call = RecordedCall(method, params, params.get("chat_id"), arrived, files=files)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        call.client_port = peer[1] if peer else None
        if (
            method == "answerCallbackQuery"
            and str(params.get("callback_query_id")) in self._callbacks
        ):
            call.chat_id = self._callbacks[str(params["callback_query_id"])][1]

        if request.match_info["token"] != self.token:
            return await self._finish(call, 401, _error_body(401, "Unauthorized"))
        impl = self._methods.get(method)
        if impl is None:
            return await self._finish(call, 404, _error_body(404, "Not Found"))

        rule = self._take_fault(call)
        if rule is not None:
            return await self._injected(call, rule)
        try:
            result = await impl(call)
        except _ApiError as exc:
            body = _error_body(exc.status, exc.description, exc.retry_after)
            return await self._finish(call, exc.status, body, simulated=exc.simulated)
        return await self._finish(call, 200, {"ok": True, "result": result})

    async def _injected(self, call: RecordedCall, rule: _FaultRule) -> web.StreamResponse:
        if rule.status == 0:
            call.status = 0
            self.calls.append(call)
            await self._notify()
            await self._closing.wait()
            return web.Response(status=503)
        if rule.status in (502, 504):
            phrase = "Bad Gateway" if rule.status == 502 else "Gateway Time-out"
            await self._finish(call, rule.status, None, simulated=True)
            return web.Response(
                status=rule.status,
                content_type="text/html",
                text=_GATEWAY_PAGE.format(code=rule.status, phrase=phrase),
            )
        description = rule.description or (
            f"Too Many Requests: retry after {rule.retry_after}"
            if rule.status == 429
            else _DEFAULT_FAULT_TEXT.get(rule.status, f"Error {rule.status}")
        )
        body = _error_body(rule.status, description, rule.retry_after)
        return await self._finish(call, rule.status, body, simulated=True)

    async def _finish(
        self,
        call: RecordedCall,
        status: int,
        body: JSON | None,
        *,
        simulated: bool = False,
    ) -> web.StreamResponse:
        call.status = status
        call.response = body
        self.calls.append(call)
        if status >= 400 and not simulated:
            self.errors.append(call)
        if status == 429:
            self.n429 += 1
        await self._notify()
        if body is None:
            return web.Response(status=status)
        return web.json_response(body, status=status)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(_error_body(401, "Unauthorized"), status=401)
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None or stored.data is None:
            return web.json_response(_error_body(404, "Not Found"), status=404)
        content_type = stored.meta.get("mime_type") or mimetypes.guess_type(stored.file_path)[0]
        return web.Response(
            body=stored.data, content_type=content_type or "application/octet-stream"
        )

    # ==================================================================================
    # chats, messages, files (internal)
    # ==================================================================================
    def _target_chat(self, params: JSON) -> JSON:
        """The chat a send/edit addresses; raises like Telegram for bad/blocked chats."""
        if params.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        key = _chat_key(params["chat_id"])
        chat = self._chats.get(key)
        if chat is None:
            if self.strict_chats:
                raise _bad("chat not found")
            chat = self._auto_chat(key)
        if key in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user", simulated=True)
        return chat

    def _auto_chat(self, key: ChatKey) -> JSON:
        if isinstance(key, str):
            chat: JSON = {
                "id": -1001000000000 - len(self._chats),
                "type": "channel",
                "title": key.lstrip("@"),
                "username": key.lstrip("@"),
            }
        elif key < 0:
            chat = {
                "id": key,
                "type": "supergroup" if str(key).startswith("-100") else "group",
                "title": f"Group {key}",
            }
        else:
            chat = {"id": key, "type": "private", "first_name": f"User {key}"}
        self._chats[key] = chat
        return chat

    def _next_message_id(self, key: ChatKey) -> int:
        mid = self._next_mid.get(key, 1)
        self._next_mid[key] = mid + 1
        return mid

    def _enqueue_user_message(self, user: FakeUser, content: JSON) -> int:
        msg: JSON = {
            "message_id": self._next_message_id(user.id),
            "from": user.as_dict(),
            "chat": user.chat(),
            "date": _now(),
            **content,
        }
        self._user_messages[(user.id, msg["message_id"])] = msg
        return self.enqueue({"message": msg})

    def _any_message_payload(self, key: ChatKey, message_id: int) -> JSON | None:
        bot_msg = self._message_index.get((key, message_id))
        if bot_msg is not None and not bot_msg.deleted:
            return copy.deepcopy(bot_msg.payload)
        user_msg = self._user_messages.get((key, message_id))
        return None if user_msg is None else copy.deepcopy(user_msg)

    def _keyboard_message(self, key: ChatKey, message_id: int | None) -> BotMessage:
        if message_id is not None:
            msg = self._message_index.get((key, message_id))
            if msg is None or msg.deleted:
                raise LookupError(f"no bot message #{message_id} in chat {key}")
            return msg
        for msg in reversed(self._bot_messages.get(key, [])):
            if msg.inline_keyboard and not msg.deleted:
                return msg
        raise LookupError(
            f"no bot message with an inline keyboard in chat {key}\n{self.dump(key)}"
        )

    def _enqueue_callback(self, user: FakeUser, message: JSON, data: str) -> int:
        query_id = str(next(self._callback_seq))
        update_id = self.enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.as_dict(),
                    "message": copy.deepcopy(message),
                    "chat_instance": str(7_000_000_000_000_000_000 + user.id),
                    "data": data,
                }
            }
        )
        self._callbacks[query_id] = (update_id, user.id)
        return update_id

    def _store_file(self, kind: str, data: bytes | None, *, ext: str, meta: JSON) -> _StoredFile:
        n = next(self._file_seq)
        folder = {
            "photo": "photos",
            "document": "documents",
            "sticker": "stickers",
            "video_note": "video_notes",
            "video": "videos",
            "audio": "music",
        }.get(kind, kind)
        unique = (
            "U" + hashlib.sha256(data).hexdigest()[:15] if data is not None else f"U-{kind}-{n}"
        )
        stored = _StoredFile(
            f"fid-{kind}-{n}", unique, kind, data, f"{folder}/file_{n}.{ext}", dict(meta)
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _register_photo(self, data: bytes | None, *, lenient: bool = False) -> list[JSON]:
        """Store the three PhotoSize variants of an image; largest (original bytes) last."""
        if data is None:  # sent by URL: the fake has no bytes
            variants: list[tuple[bytes | None, int, int]] = [
                (None, 90, 68),
                (None, 320, 240),
                (None, 800, 600),
            ]
        else:
            try:
                variants = list(_photo_variants(data))
            except ValueError:
                if not lenient:
                    raise _bad("IMAGE_PROCESS_FAILED") from None
                variants = [(data, 90, 90), (data, 320, 320), (data, 800, 800)]
        stored = [
            self._store_file("photo", b, ext="jpg", meta={"width": w, "height": h})
            for b, w, h in variants
        ]
        sizes = [s.as_object() for s in stored]
        for s in stored:
            s.photo_sizes = sizes
        return copy.deepcopy(sizes)

    def _resolve_input_file(self, value: Any, call: RecordedCall) -> Any:
        """attach://name -> the uploaded part; anything else unchanged."""
        if isinstance(value, str) and value.startswith("attach://"):
            uploaded = call.files.get(value[len("attach://") :])
            if uploaded is None:
                raise _bad(f"file of the attachment {value!r} is not found")
            return uploaded
        return value

    def _resolve_photo(self, value: Any, call: RecordedCall) -> list[JSON]:
        value = self._resolve_input_file(value, call)
        if isinstance(value, UploadedFile):
            if len(value.data) > MAX_PHOTO_UPLOAD:
                raise _bad("PHOTO_INVALID_DIMENSIONS")
            return self._register_photo(value.data)
        if not isinstance(value, str) or not value:
            raise _bad("there is no photo in the request")
        if re.match(r"https?://", value):
            return self._register_photo(None)
        stored = self._files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if stored.kind != "photo" or stored.photo_sizes is None:
            raise _bad("type of file mismatch")
        return copy.deepcopy(stored.photo_sizes)

    def _resolve_file(self, kind: str, value: Any, call: RecordedCall) -> JSON:
        value = self._resolve_input_file(value, call)
        if isinstance(value, UploadedFile):
            if len(value.data) > MAX_FILE_UPLOAD:
                raise _ApiError(413, "Request Entity Too Large")
            name = value.filename or f"file.{kind}"
            ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
            mime = (
                value.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            )
            return self._store_file(
                kind, value.data, ext=ext, meta={"file_name": name, "mime_type": mime}
            ).as_object()
        if not isinstance(value, str) or not value:
            raise _bad(f"there is no {kind} in the request")
        if re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return self._store_file(
                kind, None, ext="bin", meta={"file_name": name, "mime_type": mime}
            ).as_object()
        stored = self._files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if stored.kind == "photo":
            raise _bad("type of file mismatch")
        return stored.as_object()

    # --- validation -----------------------------------------------------------------------
    def _check_text(self, text: Any, parse_mode: Any, *, caption: bool = False) -> str | None:
        """Return the visible text, or raise 400 like Telegram (captions may be absent)."""
        if text is None or text == "":
            if caption:
                return None
            raise _bad("message text is empty")
        text = str(text)
        mode = self._parse_mode(parse_mode)
        if mode == "html":
            try:
                plain = telegram_html_to_text(
                    text.strip(), strict_ampersand=self.strict_html_ampersand
                )
            except ValueError as exc:
                raise _bad(str(exc)) from None
        else:
            plain = text
        plain = plain.strip()
        if not plain:
            if caption:
                return None
            raise _bad("message text is empty")
        if caption and len(plain) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        if not caption and len(plain) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        return plain

    @staticmethod
    def _parse_mode(parse_mode: Any) -> str | None:
        if parse_mode in (None, ""):
            return None
        mode = str(parse_mode).lower()
        if mode not in ("html", "markdown", "markdownv2"):
            raise _bad(f"unsupported parse_mode {parse_mode!r}")
        return mode

    def _check_markup(self, markup: Any, chat: JSON, *, inline_only: bool = False) -> JSON | None:
        if markup is None:
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise _bad("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._check_inline_keyboard(markup["inline_keyboard"])
        elif inline_only:
            raise _bad("inline keyboard expected")
        elif "keyboard" in markup:
            self._check_reply_keyboard(markup["keyboard"], chat)
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise _bad("can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _rows(rows: Any, what: str) -> list[list[Any]]:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad(f'field "{what}" must be an Array of Arrays')
        return rows

    def _check_inline_keyboard(self, rows: Any) -> None:
        for row in self._rows(rows, "inline_keyboard"):
            for button in row:
                if not isinstance(button, dict):
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "InlineKeyboardButton must be an Object"
                    )
                text = button.get("text")
                if not isinstance(text, str):
                    raise _bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not text.strip():
                    raise _bad("inline keyboard button text must be non-empty")
                if not any(k in button for k in _BUTTON_ACTIONS):
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are "
                        "unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if (
                        not isinstance(data, str)
                        or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"(?i)(https?|tg)://\S+$", str(button["url"])):
                    raise _bad("BUTTON_URL_INVALID")

    def _check_reply_keyboard(self, rows: Any, chat: JSON) -> None:
        for row in self._rows(rows, "keyboard"):
            for button in row:
                text = (
                    button
                    if isinstance(button, str)
                    else (button.get("text") if isinstance(button, dict) else None)
                )
                if not isinstance(text, str) or not text.strip():
                    raise _bad("keyboard button text must be non-empty")
                if isinstance(button, dict) and chat.get("type") != "private":
                    if button.get("request_contact"):
                        raise _bad("phone number can be requested in private chats only")
                    if button.get("request_location"):
                        raise _bad("location can be requested in private chats only")

    def _reply_to(self, params: JSON, key: ChatKey) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            mid, allow = reply.get("message_id"), reply.get("allow_sending_without_reply")
        else:
            mid = params.get("reply_to_message_id")
            allow = params.get("allow_sending_without_reply")
        if mid in (None, ""):
            return None
        target = self._any_message_payload(key, int(mid))
        if target is None and not allow:
            raise _bad("message to be replied not found")
        return target

    # --- message creation ---------------------------------------------------------------
    def _new_bot_message(
        self,
        call: RecordedCall,
        chat: JSON,
        *,
        kind: str,
        text: str | None,
        plain: str | None,
        parse_mode: str | None,
        markup: JSON | None,
        content: JSON,
        media_group_id: str | None = None,
        reply_to: JSON | None = None,
    ) -> BotMessage:
        key = _chat_key(call.params["chat_id"])
        payload: JSON = {
            "message_id": self._next_message_id(key),
            "from": dict(self.bot_user),
            "chat": dict(chat),
            "date": _now(),
            **content,
        }
        if media_group_id is not None:
            payload["media_group_id"] = media_group_id
        if reply_to is not None:
            payload["reply_to_message"] = reply_to
        if markup and "inline_keyboard" in markup:  # reply keyboards are not echoed
            payload["reply_markup"] = markup
        msg = BotMessage(
            chat_id=key,
            message_id=payload["message_id"],
            method=call.method,
            kind=kind,
            text=text,
            plain_text=plain,
            parse_mode=parse_mode,
            reply_markup=markup,
            params=call.params,
            payload=payload,
            media_group_id=media_group_id,
        )
        self._bot_messages.setdefault(key, []).append(msg)
        for woken in self._chat_waiters.pop(key, []):
            if not woken.done():
                woken.set_result(None)
        self._message_index[(key, msg.message_id)] = msg
        return msg

    @staticmethod
    def _with_caption(content: JSON, plain: str | None) -> JSON:
        if plain is not None:
            content["caption"] = plain
        return content

    # ==================================================================================
    # Bot API methods
    # ==================================================================================
    async def _true(self, call: RecordedCall) -> bool:
        return True

    async def _get_me(self, call: RecordedCall) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, call: RecordedCall) -> list[JSON]:
        """Long polling: park on an Event until an update arrives or ``timeout`` passes."""
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is "
                "active; use deleteWebhook to delete the webhook first",
            )
        p = call.params
        offset = int(p.get("offset") or 0)
        limit = min(100, max(1, int(p.get("limit") or 100)))
        timeout = max(0.0, float(p.get("timeout") or 0))
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._next_batch(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing.is_set():
                break
            self._new_updates.clear()
            self.waiting_pollers += 1
            await self._notify()
            try:
                async with asyncio.timeout(remaining):
                    await self._new_updates.wait()
            except TimeoutError:
                pass
            finally:
                self.waiting_pollers -= 1
        for queued in batch:
            queued.forced = False
            self._delivery_count[queued.update_id] = (
                self._delivery_count.get(queued.update_id, 0) + 1
            )
        return [copy.deepcopy(q.update) for q in batch]

    def _confirm(self, offset: int) -> None:
        """Telegram forgets updates below the offset (negative: keep only the last -offset)."""
        if offset > 0:
            self._queue = [q for q in self._queue if q.forced or q.update_id >= offset]
        elif offset < 0:
            normal = [q for q in self._queue if not q.forced][offset:]
            self._queue = [q for q in self._queue if q.forced or q in normal]

    def _next_batch(self, limit: int) -> list[_Queued]:
        # Redelivered copies first: PTB sets its offset from the *last* update of a batch.
        forced = [q for q in self._queue if q.forced]
        normal = sorted((q for q in self._queue if not q.forced), key=lambda q: q.update_id)
        return (forced + normal)[:limit]

    async def _set_webhook(self, call: RecordedCall) -> bool:
        url = str(call.params.get("url") or "")
        if not url:
            self.webhook = None
            return True
        if not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {k: v for k, v in call.params.items() if not isinstance(v, UploadedFile)}
        if call.params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _delete_webhook(self, call: RecordedCall) -> bool:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _get_webhook_info(self, call: RecordedCall) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook is not None:
            info["url"] = self.webhook["url"]
            for key in ("max_connections", "allowed_updates", "ip_address"):
                if key in self.webhook:
                    info[key] = self.webhook[key]
        return info

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands the bot registered for a scope (default scope) and language."""
        return self.commands.get(
            self._commands_key({"scope": scope, "language_code": language_code}), []
        )

    async def _set_my_commands(self, call: RecordedCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("commands must be an array of at most 100 BotCommand")
        for cmd in commands:
            name = cmd.get("command") if isinstance(cmd, dict) else None
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            description = cmd.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(call.params)] = commands
        return True

    async def _delete_my_commands(self, call: RecordedCall) -> bool:
        self.commands.pop(self._commands_key(call.params), None)
        return True

    async def _get_my_commands(self, call: RecordedCall) -> list[JSON]:
        return self.commands.get(self._commands_key(call.params), [])

    async def _set_chat_menu_button(self, call: RecordedCall) -> bool:
        button = call.params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad("can't parse menu button")
        self.menu_buttons[call.params.get("chat_id")] = button
        return True

    async def _get_chat_menu_button(self, call: RecordedCall) -> JSON:
        return self.menu_buttons.get(
            call.params.get("chat_id"), self.menu_buttons.get(None, {"type": "commands"})
        )

    def _set_profile(self, key: str) -> Callable[[RecordedCall], Any]:
        async def setter(call: RecordedCall) -> bool:
            self.profile[key] = str(call.params.get(key) or "")
            return True

        return setter

    def _get_profile(self, key: str) -> Callable[[RecordedCall], Any]:
        async def getter(call: RecordedCall) -> JSON:
            return {key: self.profile.get(key, "")}

        return getter

    async def _get_chat(self, call: RecordedCall) -> JSON:
        chat = self._target_chat(call.params)
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}

    # --- sending -----------------------------------------------------------------------
    async def _send_message(self, call: RecordedCall) -> JSON:
        p = call.params
        chat = self._target_chat(p)
        plain = self._check_text(p.get("text"), p.get("parse_mode"))
        markup = self._check_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(p, p["chat_id"])
        self._admit_send(p["chat_id"])
        msg = self._new_bot_message(
            call,
            chat,
            kind="text",
            text=str(p["text"]),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            content={"text": plain},
            reply_to=reply_to,
        )
        return msg.payload

    async def _send_photo(self, call: RecordedCall) -> JSON:
        p = call.params
        chat = self._target_chat(p)
        plain = self._check_text(p.get("caption"), p.get("parse_mode"), caption=True)
        markup = self._check_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(p, p["chat_id"])
        photo = self._resolve_photo(p.get("photo"), call)
        self._admit_send(p["chat_id"])
        msg = self._new_bot_message(
            call,
            chat,
            kind="photo",
            text=p.get("caption"),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            content=self._with_caption({"photo": photo}, plain),
            reply_to=reply_to,
        )
        return msg.payload

    async def _send_document(self, call: RecordedCall) -> JSON:
        p = call.params
        chat = self._target_chat(p)
        plain = self._check_text(p.get("caption"), p.get("parse_mode"), caption=True)
        markup = self._check_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(p, p["chat_id"])
        document = self._resolve_file("document", p.get("document"), call)
        self._admit_send(p["chat_id"])
        msg = self._new_bot_message(
            call,
            chat,
            kind="document",
            text=p.get("caption"),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            content=self._with_caption({"document": document}, plain),
            reply_to=reply_to,
        )
        return msg.payload

    async def _send_voice(self, call: RecordedCall) -> JSON:
        """sendVoice as the Bot API describes it: a playable voice message when the audio is
        OGG/Opus, MP3 or M4A; other formats "may be sent as Audio or Document" (sent here as a
        document). ``duration`` is taken as given; a file id must name a voice already sent.
        A recipient who refuses voice messages: ``fail("sendVoice", 400, description=
        "Bad Request: VOICE_MESSAGES_FORBIDDEN")``."""
        p = call.params
        chat = self._target_chat(p)
        plain = self._check_text(p.get("caption"), p.get("parse_mode"), caption=True)
        markup = self._check_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(p, p["chat_id"])
        value = self._resolve_input_file(p.get("voice"), call)
        duration = p.get("duration")
        if duration is not None and (not str(duration).isdigit()):
            raise _bad("can't parse duration")
        if isinstance(value, UploadedFile):
            if len(value.data) > MAX_FILE_UPLOAD:
                raise _ApiError(413, "Request Entity Too Large")
            mime = _voice_mime(value.data)
            if mime is None:
                content: JSON = {"document": self._resolve_file("document", value, call)}
                kind = "document"
            else:
                meta: JSON = {"duration": int(duration or 0), "mime_type": mime}
                stored = self._store_file("voice", value.data, ext="oga", meta=meta)
                content, kind = {"voice": stored.as_object()}, "voice"
        elif isinstance(value, str) and value and not re.match(r"https?://", value):
            known = self._files.get(value)
            if known is None:
                raise _bad("wrong file identifier/HTTP URL specified")
            if known.kind != "voice":
                raise _bad("type of file mismatch")
            content, kind = {"voice": known.as_object()}, "voice"
        else:
            raise _bad("there is no voice in the request")
        self._admit_send(p["chat_id"])
        msg = self._new_bot_message(
            call,
            chat,
            kind=kind,
            text=p.get("caption"),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            content=self._with_caption(content, plain),
            reply_to=reply_to,
        )
        return msg.payload

    async def _send_media_group(self, call: RecordedCall) -> list[JSON]:
        p = call.params
        chat = self._target_chat(p)
        media = p.get("media")
        if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
            raise _bad("can't parse media JSON object")
        if len(media) > MAX_MEDIA_GROUP:
            raise _bad("too much messages to send as an album")
        if len(media) < MIN_MEDIA_GROUP:
            raise _bad(f"media group must contain {MIN_MEDIA_GROUP}-{MAX_MEDIA_GROUP} items")
        types = {m.get("type") for m in media}
        if not types <= {"photo", "video", "document", "audio"}:
            raise _bad(f"unsupported media type in album: {sorted(map(str, types))}")
        for lonely in ("document", "audio"):
            if lonely in types and len(types) > 1:
                raise _bad(f"{lonely} can't be mixed with other media types")
        reply_to = self._reply_to(p, p["chat_id"])
        prepared: list[tuple[JSON, str, str | None, JSON]] = []
        for item in media:
            plain = self._check_text(item.get("caption"), item.get("parse_mode"), caption=True)
            kind = item["type"]
            if kind == "photo":
                content: JSON = {"photo": self._resolve_photo(item.get("media"), call)}
            else:
                content = {kind: self._resolve_file(kind, item.get("media"), call)}
            prepared.append((item, kind, plain, self._with_caption(content, plain)))
        self._admit_send(p["chat_id"], len(media))
        group = str(next(self._media_group_seq))
        result = []
        for item, kind, plain, content in prepared:
            msg = self._new_bot_message(
                call,
                chat,
                kind=kind,
                text=item.get("caption"),
                plain=plain,
                parse_mode=item.get("parse_mode"),
                markup=None,
                content=content,
                media_group_id=group,
                reply_to=reply_to,
            )
            result.append(msg.payload)
        return result

    async def _send_location(self, call: RecordedCall) -> JSON:
        p = call.params
        chat = self._target_chat(p)
        try:
            lat, lon = float(p["latitude"]), float(p["longitude"])
        except (KeyError, TypeError, ValueError):
            raise _bad("latitude and longitude must be numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _bad("wrong location")
        location: JSON = {"latitude": lat, "longitude": lon}
        if p.get("live_period") is not None:
            period = int(p["live_period"])
            if not (60 <= period <= 86400 or period == 0x7FFFFFFF):
                raise _bad("wrong live period specified")
            location["live_period"] = period
        markup = self._check_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(p, p["chat_id"])
        self._admit_send(p["chat_id"])
        msg = self._new_bot_message(
            call,
            chat,
            kind="location",
            text=None,
            plain=None,
            parse_mode=None,
            markup=markup,
            content={"location": location},
            reply_to=reply_to,
        )
        return msg.payload

    async def _send_chat_action(self, call: RecordedCall) -> bool:
        self._target_chat(call.params)
        if call.params.get("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    # --- editing ----------------------------------------------------------------------
    def _message_to_edit(self, call: RecordedCall) -> BotMessage | None:
        """The stored message an edit addresses (None for inline messages)."""
        p = call.params
        if p.get("inline_message_id"):
            return None
        self._target_chat(p)
        try:
            mid = int(p.get("message_id"))
        except (TypeError, ValueError):
            raise _bad("message identifier is not specified") from None
        key = _chat_key(p["chat_id"])
        msg = self._message_index.get((key, mid))
        if msg is None and (key, mid) in self._user_messages:
            raise _bad("message can't be edited")
        if msg is None or msg.deleted:
            raise _bad("message to edit not found")
        return msg

    @staticmethod
    def _inline(markup: JSON | None) -> JSON | None:
        return markup if markup and markup.get("inline_keyboard") else None

    def _apply_edit(
        self,
        call: RecordedCall,
        msg: BotMessage,
        *,
        text: str | None,
        plain: str | None,
        parse_mode: str | None,
        markup: JSON | None,
        text_field: str,
    ) -> JSON:
        same_text = (text, parse_mode) == (msg.text, msg.parse_mode)
        if same_text and self._inline(markup) == self._inline(msg.reply_markup):
            raise _bad(
                "message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of "
                "the message"
            )
        msg.edits.append(
            {
                "method": call.method,
                "text": msg.text,
                "plain_text": msg.plain_text,
                "parse_mode": msg.parse_mode,
                "reply_markup": msg.reply_markup,
                "at": call.at,
            }
        )
        msg.text, msg.plain_text, msg.parse_mode = text, plain, parse_mode
        if markup is not None or self._inline(msg.reply_markup) is not None:
            msg.reply_markup = markup  # an edit without reply_markup removes the inline keyboard
        payload = msg.payload
        payload.pop(text_field, None)
        if plain is not None:
            payload[text_field] = plain
        payload.pop("reply_markup", None)
        if self._inline(markup):
            payload["reply_markup"] = markup
        payload["edit_date"] = _now()
        return payload

    async def _edit_message_text(self, call: RecordedCall) -> JSON | bool:
        p = call.params
        msg = self._message_to_edit(call)
        plain = self._check_text(p.get("text"), p.get("parse_mode"))
        markup = self._check_markup(p.get("reply_markup"), {}, inline_only=True)
        if msg is None:
            return True
        if msg.kind != "text":
            raise _bad("there is no text in the message to edit")
        return self._apply_edit(
            call,
            msg,
            text=str(p["text"]),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            text_field="text",
        )

    async def _edit_message_caption(self, call: RecordedCall) -> JSON | bool:
        p = call.params
        msg = self._message_to_edit(call)
        plain = self._check_text(p.get("caption"), p.get("parse_mode"), caption=True)
        markup = self._check_markup(p.get("reply_markup"), {}, inline_only=True)
        if msg is None:
            return True
        if msg.kind in ("text", "location"):
            raise _bad("there is no caption in the message to edit")
        return self._apply_edit(
            call,
            msg,
            text=p.get("caption"),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            text_field="caption",
        )

    async def _edit_message_reply_markup(self, call: RecordedCall) -> JSON | bool:
        p = call.params
        msg = self._message_to_edit(call)
        markup = self._check_markup(p.get("reply_markup"), {}, inline_only=True)
        if msg is None:
            return True
        return self._apply_edit(
            call,
            msg,
            text=msg.text,
            plain=msg.plain_text,
            parse_mode=msg.parse_mode,
            markup=markup,
            text_field="text" if msg.kind == "text" else "caption",
        )

    async def _delete_message(self, call: RecordedCall) -> bool:
        p = call.params
        self._target_chat(p)
        key, mid = _chat_key(p["chat_id"]), int(p.get("message_id") or 0)
        msg = self._message_index.get((key, mid))
        if msg is not None and not msg.deleted:
            msg.deleted = True
            return True
        if (key, mid) in self._user_messages:
            del self._user_messages[(key, mid)]
            return True
        raise _bad("message to delete not found")

    async def _answer_callback_query(self, call: RecordedCall) -> bool:
        query_id = str(call.params.get("callback_query_id") or "")
        if query_id not in self._callbacks or query_id in self.callback_answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = call.params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_TEXT:
            raise _bad("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(call.params)
        return True

    async def _get_file(self, call: RecordedCall) -> JSON:
        stored = self._files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if stored.data is not None and len(stored.data) > MAX_DOWNLOAD_SIZE:
            raise _bad("file is too big")
        obj: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.data is not None:
            obj["file_size"] = len(stored.data)
        return obj
