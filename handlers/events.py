"""Channel-neutral events: what a person did, whatever app they did it in.

Adapters in `bot/` build these; flows only ever see these. The platform's raw payload rides
along for logging and debugging, never for decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from storage.media import StoredMedia


def _drop_nul(instance: Any) -> None:
    """NUL characters carry nothing a person meant, and PostgreSQL cannot store them in text:
    they are dropped from every text an event carries, whatever the channel."""
    for item in fields(instance):
        value = getattr(instance, item.name)
        if isinstance(value, str) and "\x00" in value:
            object.__setattr__(instance, item.name, value.replace("\x00", ""))


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
        _drop_nul(self)


@dataclass(frozen=True)
class Event:
    sender: Sender
    update_id: str | None = field(default=None, kw_only=True)
    raw: Any = field(default=None, kw_only=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        _drop_nul(self)


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
