"""How alike two short texts are, the way PostgreSQL's pg_trgm measures it, for SQLite (and for
PostgreSQL without the extension): the same numbers on every database, so one threshold holds.

pg_trgm splits a text into words (runs of letters and digits, lower-cased), pads each word with
two spaces before and one after, and takes the set of its three-character pieces; the
similarity of two texts is the share of pieces they have in common (shared / all distinct),
between 0 and 1. Word order does not matter and a changed letter costs little, so "Đèn đường
hỏng" and "đèn đường bị hỏng rồi" come out alike while texts on other things do not.
"""

from __future__ import annotations

import re

SIMILAR = 0.3
"""pg_trgm's own default threshold (`pg_trgm.similarity_threshold`)."""

_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> frozenset[str]:
    pieces: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        pieces.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(pieces)


def similarity(a: str, b: str) -> float:
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
