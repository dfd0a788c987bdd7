"""How typed place names are compared: without case, diacritics, punctuation or type words."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")
# Type words that may start a name; stripped to compare whole names ("xa an binh" ~ "an binh").
_TYPE_PREFIXES = ("thanh pho", "tinh", "phuong", "xa", "dac khu", "huyen", "quan", "thi xa",
                  "thi tran")


def fold(text: str) -> str:
    """Lower-case, drop Vietnamese diacritics and punctuation, so typed queries match names."""
    text = text.lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text).strip()


def lower(text: str) -> str:
    """Like `fold` but keeping diacritics, to prefer "Thạnh Xuân" when that is what was typed."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()


def core_name(folded: str) -> str:
    """The folded name without its leading type word ("phuong thanh xuan" -> "thanh xuan")."""
    for prefix in _TYPE_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded
