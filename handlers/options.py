"""Typed text that picks an option, for people who type instead of pressing a button.

On channels without buttons (Zalo Bot) options arrive as numbered lines, so a number, the
label, or an unambiguous start of the label must all work; on any channel a stray typed
"bỏ qua" should skip.
"""

from __future__ import annotations

from storage.units import fold

SKIP = "__skip__"


def match_option(text: str, options: list[tuple[str, str]], *, loose: bool) -> str | None:
    """The value of the option `text` names, or None.

    `options` are ``(value, label)`` pairs. With `loose`, a number or a unique label prefix
    also counts; without it (questions that also take free text or numbers) only the whole label.
    """
    typed = fold(text)
    if not typed:
        return None
    folded = [(value, fold(label)) for value, label in options]
    for value, label in folded:
        if typed == label:
            return value
    if not loose:
        return None
    if typed.isdigit():
        index = int(typed) - 1
        return options[index][0] if 0 <= index < len(options) else None
    starts = [value for value, label in folded if label.startswith(typed)]
    return starts[0] if len(starts) == 1 else None

