"""Channel-neutral replies: what a flow wants shown. Adapters decide how.

Text is already translated into the reader's language when a reply leaves the engine; an
adapter only lays it out (buttons or numbered lines, splitting long text, and so on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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


@dataclass(frozen=True)
class PhotoReply(Reply):
    path: str
    caption: str | None = None
    platform_file_id: str | None = None


@dataclass(frozen=True)
class DocumentReply(Reply):
    path: str
    filename: str
    caption: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """Replies addressed to a channel account other than the sender (notifications)."""

    account_id: int
    replies: list[Reply] = field(default_factory=list)
