"""Obvious spam in feedback: links through URL shorteners, which hide where they lead (the
usual bait of phishing and scam messages), and the same text sent again by the same sender."""

from __future__ import annotations

import re
import unicodedata

SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "v.gd",
    "buff.ly", "cutt.ly", "rebrand.ly", "rb.gy", "shorturl.at", "tiny.cc", "t.ly", "s.id",
    "lnkd.in", "shorte.st", "adf.ly", "gg.gg", "tiny.one", "u.to", "x.co", "bom.so",
    "short.io", "tr.ee", "clck.ru", "qrco.de",
})
"""Hosts that only redirect elsewhere; extend as new ones turn up in reports."""

_HOST = re.compile(r"(?<![\w.@-])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w-])",
                   re.IGNORECASE)


def shortener_hosts(text: str) -> list[str]:
    """The URL shorteners `text` links to, each once, in order of appearance."""
    hosts = (match.group(1).lower() for match in _HOST.finditer(text))
    return list(dict.fromkeys(h for h in hosts if h in SHORTENERS))


def same_text_key(text: str) -> str:
    """What "the same text" means: equal once case, spacing and the punctuation around the words
    are ignored (diacritics kept: "Đèn hỏng" and "Den hong" may be two people's words)."""
    text = unicodedata.normalize("NFC", text).casefold()
    words = (word.strip(".,;:!?…\"'()[]-–—*") for word in text.split())
    return " ".join(word for word in words if word)
