"""Typed text that picks an option, for people who type instead of pressing a button.

On channels without buttons (Zalo Bot) options arrive as numbered lines, so a number, the
label, or an unambiguous start of the label must all work; on any channel a stray typed
"bỏ qua" should skip.
"""

from __future__ import annotations

import re

from storage.units import fold

SKIP = "__skip__"
_REMARK = re.compile(r"\s*\([^)]*\)\s*$")
_LEADING_SYMBOLS = re.compile(r"^[^\w]+")


def short_label(label: str) -> str:
    """What a person would type for an option: its label without a leading symbol or a closing
    remark in brackets ("✅ Xong" → "Xong", "Bỏ qua (không có GPS)" → "Bỏ qua")."""
    return _LEADING_SYMBOLS.sub("", _REMARK.sub("", label)).strip() or label


def match_option(text: str, options: list[tuple[str, str]], *, loose: bool) -> str | None:
    """The value of the option `text` names, or None.

    `options` are ``(value, label)`` pairs. With `loose`, a number or a unique label prefix
    also counts; without it (questions that also take free text or numbers) only the whole label
    or its `short_label`.
    """
    typed = fold(text)
    if not typed:
        return None
    folded = [(value, fold(label)) for value, label in options]
    for value, label in folded:
        if typed == label:
            return value
    shorts = [value for value, label in options if typed == fold(short_label(label))]
    if len(shorts) == 1:
        return shorts[0]
    if not loose:
        return None
    if typed.isdigit():
        index = int(typed) - 1
        return options[index][0] if 0 <= index < len(options) else None
    starts = [value for value, label in folded if label.startswith(typed)]
    return starts[0] if len(starts) == 1 else None

