"""Channel-neutral events: what a person did, whatever app they did it in.

Adapters in `bot/` build these; flows only ever see these. The platform's raw payload rides
along for logging and debugging, never for decisions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, fields
from typing import Any

from storage.media import StoredMedia

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
"""Control and format characters (zero-width space, joiners, BOM, bidi marks) and spaces."""
_BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
"""Letters and marks that render as nothing (Hangul fillers, the braille blank, …)."""


def is_invisible(text: str) -> bool:
    """True for text a person cannot see: only spaces, zero-width or other blank characters."""
    return all(c in _BLANK_LOOKING or unicodedata.category(c) in _INVISIBLE_CATEGORIES
               for c in text)


def _normalise_text(instance: Any) -> None:
    """Every text an event carries, whatever the channel: NUL characters carry nothing a person
    meant (and PostgreSQL cannot store them) so they are dropped; a text made only of
    invisible characters (a zero-width space, a Hangul filler) is empty, so every question
    that refuses an empty answer refuses it too."""
    for item in fields(instance):
        value = getattr(instance, item.name)
        if not isinstance(value, str) or not value:
            continue
        cleaned = value.replace("\x00", "")
        if is_invisible(cleaned):
            cleaned = ""
        if cleaned != value:
            object.__setattr__(instance, item.name, cleaned)


@dataclass(frozen=True)
class Sender:
    """Who sent an event, as the channel knows them."""

    channel: str
    external_id: str
    chat_id: str
    display_name: str = ""
    username: str | None = None
    language_code: str | None = None

    def __post_init__(self) -> None:
        _normalise_text(self)


@dataclass(frozen=True)
class Event:
    sender: Sender
    update_id: str | None = field(default=None, kw_only=True)
    raw: Any = field(default=None, kw_only=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        _normalise_text(self)


@dataclass(frozen=True)
class TextEvent(Event):
    text: str


@dataclass(frozen=True)
class CommandEvent(Event):
    name: str
    args: str = ""


@dataclass(frozen=True)
class ChoiceEvent(Event):
    """A button press. `token` ties it to the question it answered, to spot stale buttons."""

    token: str
    value: str


@dataclass(frozen=True)
class PhotoEvent(Event):
    media: StoredMedia
    caption: str | None = None
    album_id: str | None = None


@dataclass(frozen=True)
class VoiceEvent(Event):
    """A voice note (or a sound file), already kept clean in the media store; its length is
    `media.duration_seconds`. Notes past the caps arrive as `UnsupportedEvent`s instead."""

    media: StoredMedia


@dataclass(frozen=True)
class VideoEvent(Event):
    """A short video (or a round Telegram video note), already kept clean in the media store
    with its poster frame and length. Videos past the caps arrive as `UnsupportedEvent`s."""

    media: StoredMedia
    caption: str | None = None


@dataclass(frozen=True)
class LocationEvent(Event):
    latitude: float
    longitude: float
    title: str | None = None


@dataclass(frozen=True)
class ContactEvent(Event):
    phone: str
    is_own: bool = True


@dataclass(frozen=True)
class UnsupportedEvent(Event):
    """Something a flow cannot use: a sticker, a voice note, a non-image document, a video."""

    what: str
    detail: str | None = None
