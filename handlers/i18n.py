"""Translation catalogues: every sentence a person reads lives in `locales/<lang>/messages.po`.

Message ids are stable keys (``practice.title.ask``); flows never hold user-facing text.
Catalogues are read with Babel once per process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("vi", "en")
log = logging.getLogger(__name__)


@cache
def catalogue(language: str) -> dict[str, str]:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


@dataclass(frozen=True)
class Capabilities:
    """What the reader's channel lets them do (declared by each channel, `ChannelLimits` in
    bot/channels/base.py), so a text names the actions they can take there: "bấm Xong" where
    there are buttons, "gõ Xong" where there are none."""

    buttons: bool
    location_button: bool
    contact_button: bool
    receives_video: bool = True


WORDS = {"press": "buttons", "pick": "buttons", "pick_many": "buttons",
         "send_location": "location_button", "share_phone": "contact_button"}
"""The action words a text may name, `{press} Xong`, each with the capability it depends on.
The catalogue holds each once per capability: `words.<name>` where the channel has it,
`words.<name>.without` where it has not, `words.<name>.any` where the channel is not known yet
(a notice the outbox may send on any of the person's channels)."""


class Translator:
    """Looks up a key in the reader's language, falling back to Vietnamese, then to the key.
    With the reader's channel's `capabilities`, texts name the actions that channel offers."""

    def __init__(self, language: str, capabilities: Capabilities | None = None) -> None:
        self.language = language if language in LANGUAGES else "vi"
        self.capabilities = capabilities

    def in_language(self, language: str) -> Translator:
        """The same reader's channel, another language."""
        return Translator(language, self.capabilities)

    def __call__(self, key: str, **params: object) -> str:
        text = self._lookup(key)
        if text is None:
            log.error("missing translation", extra={"key": key, "language": self.language})
            return key
        words = {name: self._word(name) for name in WORDS if f"{{{name}}}" in text}
        return text.format(**words, **params) if params or words else text

    def _lookup(self, key: str) -> str | None:
        return catalogue(self.language).get(key) or catalogue("vi").get(key)

    def _word(self, name: str) -> str:
        if self.capabilities is None:
            variant = f"words.{name}.any"
        elif getattr(self.capabilities, WORDS[name]):
            variant = f"words.{name}"
        else:
            variant = f"words.{name}.without"
        return self._lookup(variant) or name

    def has(self, key: str) -> bool:
        return key in catalogue(self.language) or key in catalogue("vi")
