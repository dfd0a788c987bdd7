"""What a browser sends the web chat → channel-neutral events, and who sent it.

A browser session is a chat. Its cookie holds a random token; the account is keyed by the
token's hash, so the database never holds a usable credential. Every action carries an id the
page generates, so a request retried on a weak connection is handled once (the engine drops an
update id it has seen).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.media import PHOTO, VOICE_NOTE, keep, refusal
from handlers.events import (
    ChoiceEvent,
    CommandEvent,
    Event,
    LocationEvent,
    PhotoEvent,
    Sender,
    TextEvent,
    UnsupportedEvent,
    VideoEvent,
    VoiceEvent,
)
from storage.media import MediaRejected, MediaStore
from storage.models import WEB_SESSION_LIFETIME, Channel

SESSION_COOKIE = "dvk_chat"
SESSION_DAYS = WEB_SESSION_LIFETIME.days  # the cookie's lifetime, from the latest action
EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MAX_TEXT_CHARS = 4096
COMMANDS_FROM_PAGE = ("start", "help", "submit", "feedback", "status", "my", "language",
                      "cancel", "back")


class BadEvent(Exception):
    """The request does not describe an action a person can take; answered with 400."""


@dataclass(frozen=True)
class ChatSession:
    token: str
    is_new: bool

    @property
    def chat_id(self) -> str:
        return hashlib.sha256(self.token.encode("ascii")).hexdigest()[:32]

    def sender(self, language: str) -> Sender:
        return Sender(channel=Channel.WEB, external_id=self.chat_id, chat_id=self.chat_id,
                      language_code=language)


def cookie_session(request: web.Request) -> ChatSession | None:
    """The session the cookie claims; whether the server issued it is `WebChat.session_of`'s
    to check (a token anyone can invent names no session until then)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return ChatSession(token, is_new=False) if _TOKEN.match(token) else None


def new_session() -> ChatSession:
    return ChatSession(secrets.token_urlsafe(32), is_new=True)


def event_id(raw: Any) -> str:
    if not isinstance(raw, str) or not EVENT_ID.match(raw):
        raise BadEvent("id must be 8–40 letters, digits, '-' or '_'")
    return raw


def to_event(payload: dict[str, Any], sender: Sender, update_id: str) -> Event:
    """The event a JSON action stands for: text (a leading "/" makes it a command), a button
    press, a location, or a command from the page itself (its first "start")."""
    kind = payload.get("type")
    raw = {"type": kind}
    if kind == "text":
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
            raise BadEvent(f"text must be 1–{MAX_TEXT_CHARS} characters")
        if text.startswith("/") and len(text) > 1:
            head, _, args = text[1:].partition(" ")
            return CommandEvent(sender, name=head.lower()[:64], args=args.strip(),
                                update_id=update_id, raw=raw)
        return TextEvent(sender, text=text, update_id=update_id, raw=raw)
    if kind == "choice":
        token, value = payload.get("token"), payload.get("value")
        if not (isinstance(token, str) and isinstance(value, str)) or max(
                len(token), len(value)) > 64:
            raise BadEvent("a choice needs a token and a value (strings, ≤ 64 characters)")
        return ChoiceEvent(sender, token=token, value=value, update_id=update_id, raw=raw)
    if kind == "location":
        lat, lon = payload.get("lat"), payload.get("lon")
        if not (isinstance(lat, int | float) and isinstance(lon, int | float) and _number(lat)
                and _number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadEvent("a location needs lat in [-90, 90] and lon in [-180, 180]")
        return LocationEvent(sender, latitude=float(lat), longitude=float(lon),
                             update_id=update_id, raw=raw)
    if kind == "command":
        name = payload.get("name")
        if not isinstance(name, str) or name not in COMMANDS_FROM_PAGE:
            raise BadEvent("unknown command")
        return CommandEvent(sender, name=name, update_id=update_id, raw=raw)
    raise BadEvent("type must be text, choice, location or command")


def _number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


async def photo_event(media: MediaStore, sender: Sender, path: Path | str,
                      album: str | None, update_id: str) -> Event:
    """The photo an upload kept, stored (its clean copy made); or why it was not kept."""
    stored = refusal(PHOTO, path) if isinstance(path, str) else await keep(PHOTO, media, path)
    if isinstance(stored, str):
        return UnsupportedEvent(sender, what=stored, update_id=update_id)
    return PhotoEvent(sender, media=stored, album_id=album, update_id=update_id)


async def voice_event(media: MediaStore, sender: Sender, path: Path | str,
                      update_id: str) -> Event:
    """The voice note an upload kept, stored; or why it was not kept ("too_large" of an upload
    is over the voice cap here)."""
    stored = (refusal(VOICE_NOTE, path) if isinstance(path, str)
              else await keep(VOICE_NOTE, media, path))
    if isinstance(stored, str):
        return UnsupportedEvent(sender, what=stored, update_id=update_id)
    return VoiceEvent(sender, media=stored, update_id=update_id)


async def video_event(media: MediaStore, sender: Sender, path: Path | str,
                      update_id: str) -> Event:
    """The short video an upload kept, stored clean; or why it was not kept ("too_large" of an
    upload is over the video cap here)."""
    if isinstance(path, str):
        reason = "video_too_large" if path == "too_large" else path
        return UnsupportedEvent(sender, what=reason, update_id=update_id)
    try:
        stored = await asyncio.to_thread(media.save_video_file, path)
    except MediaRejected as rejected:
        return UnsupportedEvent(sender, what=rejected.reason, update_id=update_id)
    return VideoEvent(sender, media=stored, update_id=update_id)
