"""Translation catalogues: every sentence a person reads lives in `locales/<lang>/messages.po`.

Message ids are stable keys (``practice.title.ask``); flows never hold user-facing text.
Catalogues are read with Babel once per process.
"""

from __future__ import annotations

import logging
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


class Translator:
    """Looks up a key in the reader's language, falling back to Vietnamese, then to the key."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "vi"

    def __call__(self, key: str, **params: object) -> str:
        text = catalogue(self.language).get(key) or catalogue("vi").get(key)
        if text is None:
            log.error("missing translation", extra={"key": key, "language": self.language})
            return key
        return text.format(**params) if params else text

    def has(self, key: str) -> bool:
        return key in catalogue(self.language) or key in catalogue("vi")
