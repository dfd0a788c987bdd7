"""Channel-neutral replies: what a flow wants shown. Adapters decide how.

Text is already translated into the reader's language when a reply leaves the engine; an
adapter only lays it out (buttons or numbered lines, splitting long text, and so on).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Option:
    label: str
    value: str


class Ask(StrEnum):
    """Something only the person's device can provide; adapters without it fall back to text."""

    LOCATION = "location"
    CONTACT = "contact"


@dataclass(frozen=True)
class Reply:
    pass


ACTION_TOKEN = "a"
"""The token of options that act on an item (a feedback, a practice) whenever pressed: they
carry their own payload (`name:arg`), so a press on an old message still works."""
MENU_TOKEN = "m"
"""The token of the main menu's options: always valid too."""


@dataclass(frozen=True)
class TextReply(Reply):
    """A message, optionally with options to pick from.

    `token` names the question the options answer; adapters put it in button payloads so a press
    on an old message can be recognised as stale.
    """

    text: str
    options: tuple[Option, ...] = ()
    token: str | None = None
    ask: Ask | None = None
    ask_label: str | None = None
    free_input: bool = False
    """The options are shortcuts beside a typed answer (skip, done), not the only answers."""
    language: str | None = None
    """The reader's language, filled in by the engine, for adapters that add words of their own
    (the plain-text layout of channels without buttons, `bot/plain_text.py`)."""
    secret: bool = False
    """It holds a credential (a one-time console sign-in link): shown once, never kept with the
    update for a retried request (the engine leaves it out)."""


@dataclass(frozen=True)
class PhotoReply(Reply):
    path: str
    caption: str | None = None
    platform_file_id: str | None = None
    language: str | None = None
    """The reader's language, for the words an adapter sends instead when the media store
    cannot give the photo now."""


@dataclass(frozen=True)
class VoiceReply(Reply):
    """A voice note to play: `path` is its clean OGG/Opus copy in the media store (no tags);
    channels that cannot play it send a file or a signed link instead."""

    path: str
    caption: str | None = None
    duration_seconds: int | None = None


@dataclass(frozen=True)
class DocumentReply(Reply):
    path: str
    filename: str
    caption: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class MenuReply(Reply):
    """The commands this chat's own command menu should list, for channels that have one
    (Telegram's "/" list); None: back to the channel's default menu. The engine sends it when
    the person's role changes; channels without such a menu ignore it."""

    commands: tuple[str, ...] | None
    language: str | None = None


@dataclass(frozen=True)
class RightsGained(Reply):
    """The person behind this chat gained rights (an official's role, another linked account,
    or is about to through a link code). The engine sends it last; a channel whose credential is
    a bearer token the client holds (the web chat's cookie) replaces that token, so one planted
    or read before stops working. Other channels ignore it."""


@dataclass(frozen=True)
class Notice:
    """Replies for another person (a notification), delivered through the outbox.

    `key` makes it idempotent: the same notice (what × recipient × occurrence) is sent once.
    """

    person_id: int
    key: str
    replies: list[Reply] = field(default_factory=list)


def to_payload(replies: list[Reply]) -> list[dict[str, Any]]:
    """Replies as JSON, to wait in the outbox."""
    payload: list[dict[str, Any]] = []
    for reply in replies:
        if isinstance(reply, TextReply):
            item = {"type": "text", "text": reply.text, "token": reply.token,
                    "options": [[o.label, o.value] for o in reply.options],
                    "free_input": reply.free_input}
            if reply.language:
                item["language"] = reply.language
            if reply.ask:
                item["ask"], item["ask_label"] = reply.ask.value, reply.ask_label
            payload.append(item)
        elif isinstance(reply, PhotoReply):
            payload.append({"type": "photo", "path": reply.path, "caption": reply.caption,
                            "platform_file_id": reply.platform_file_id,
                            "language": reply.language})
        elif isinstance(reply, VoiceReply):
            payload.append({"type": "voice", "path": reply.path, "caption": reply.caption,
                            "duration_seconds": reply.duration_seconds})
        elif isinstance(reply, DocumentReply):
            payload.append({"type": "document", "path": reply.path, "filename": reply.filename,
                            "caption": reply.caption, "language": reply.language})
    return payload


def from_payload(payload: list[dict[str, Any]]) -> list[Reply]:
    replies: list[Reply] = []
    for item in payload:
        kind = item["type"]
        if kind == "text":
            options = tuple(Option(label, value) for label, value in item.get("options", []))
            ask = item.get("ask")
            replies.append(TextReply(item["text"], options, token=item.get("token"),
                                     free_input=item.get("free_input", False),
                                     language=item.get("language"),
                                     ask=Ask(ask) if ask else None,
                                     ask_label=item.get("ask_label")))
        elif kind == "photo":
            replies.append(PhotoReply(item["path"], item.get("caption"),
                                      item.get("platform_file_id"), item.get("language")))
        elif kind == "voice":
            replies.append(VoiceReply(item["path"], item.get("caption"),
                                      item.get("duration_seconds")))
        elif kind == "document":
            replies.append(DocumentReply(item["path"], item["filename"], item.get("caption"),
                                         item.get("language")))
    return replies


def in_language(replies: list[Reply], language: str) -> list[Reply]:
    """The replies with their reader's language noted (where not noted already)."""
    return [replace(r, language=language)
            if isinstance(r, TextReply | MenuReply | PhotoReply | DocumentReply)
            and r.language is None else r
            for r in replies]
