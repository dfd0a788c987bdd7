"""Rude words in Vietnamese feedback, written with or without diacritics.

Why our own short list rather than `viet-badwords-filter` (PyPI, tried at version 1.0.1): that
package splits on spaces and looks each word up in one list that mixes real insults with their
unaccented spellings, and an unaccented Vietnamese insult is very often an everyday word. Tried
on real reports it flagged "Cac ho dan phan anh ve rac thai o cho cu" ("các", "cũ"), "Ong nuoc
lon bi vo" ("lớn"), "hoc sinh phai deo khau trang" ("đeo"), "Lồng gà nhà bên cạnh" (a chicken
cage) and "má tôi" (my mother), and it missed phrases ("địt mẹ" is two words) and dotted
spellings ("Đ.m"). A citizen writing from a phone without a Vietnamese keyboard would be marked
rude for saying "các" or "lớn".

So the list is in two parts:
- `FOLDED`: spellings that mean nothing else once diacritics are dropped (abbreviations such as
  "vcl", "đcm", and run-together forms such as "ditme"): matched ignoring case and diacritics.
- `EXACT`: words whose unaccented form is an everyday word ("lồn"/"lon", "cặc"/"các",
  "đéo"/"đeo", "đĩ"/"đi"): matched ignoring case only, so with their own diacritics.

Letters written apart ("đ.m", "v c l") are read joined. A match is a warning on the officials'
card, never a reason to drop the feedback, so the list stays short and certain rather than
long and noisy; extend it here, with a test line for each word.
"""

from __future__ import annotations

import re

from storage.unit_names import fold, lower

FOLDED: frozenset[tuple[str, ...]] = frozenset(tuple(p.split()) for p in (
    "vcl", "vkl", "vcc", "vcd", "clgt", "dcm", "dkm", "dmm", "dcmm", "dkmm", "dmmm",
    "loz", "lozz", "djt", "djtme", "ditme", "ditmemay", "ditconme", "ditconmemay", "dmcs",
    "concac", "cailon", "daubuoi", "dume", "dumemay",
    "dit me", "dit me may", "dit con me", "dit cu",
))
"""Unambiguous once diacritics are dropped (checked in tests/handlers/test_abuse_flags.py)."""

EXACT: frozenset[tuple[str, ...]] = frozenset(tuple(lower(p).split()) for p in (
    "lồn", "cặc", "buồi", "địt", "đụ", "đéo", "đếch", "đĩ", "đm", "đcm", "đmm", "đkm",
    "con cặc", "vãi lồn", "vãi cặc", "đụ má", "đụ mẹ", "đồ chó", "chó đẻ", "mẹ kiếp",
))
"""Rude only with their own diacritics."""

_LONGEST = max(len(p) for p in FOLDED | EXACT)
_WORD = re.compile(r"\S+")


def _tokens(text: str) -> list[str]:
    """Words, with runs of single letters joined ("đ.m" -> "đm", "v c l" -> "vcl")."""
    words: list[str] = []
    letters = ""
    for word in text.split():
        if len(word) == 1:
            letters += word
            continue
        if letters:
            words.append(letters)
            letters = ""
        words.append(word)
    if letters:
        words.append(letters)
    return words


def _matches(words: list[str], phrases: frozenset[tuple[str, ...]]) -> list[str]:
    found = []
    for start in range(len(words)):
        for size in range(1, _LONGEST + 1):
            phrase = tuple(words[start:start + size])
            if len(phrase) == size and phrase in phrases:
                found.append(" ".join(phrase))
    return found


def rude_words(text: str) -> list[str]:
    """The rude words and phrases found in `text` (as matched: folded or lower-cased)."""
    exact = _matches(_tokens(lower(text)), EXACT)
    folded = _matches(_tokens(fold(text)), FOLDED)
    return list(dict.fromkeys(exact + folded))
