"""Telegram-flavoured HTML (parse_mode=HTML), checked as the Bot API checks it: the tags it
accepts, its entities, and the text a person sees."""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------
# Telegram-flavoured HTML (parse_mode=HTML)
# --------------------------------------------------------------------------------------
# fmt: off
HTML_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
})
# fmt: on
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]*));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_RE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _decode_entity(match: re.Match[str]) -> str | None:
    dec, hexa, name = match.groups()
    if name is not None:
        return _NAMED_ENTITIES.get(name)
    code = int(dec) if dec is not None else int(hexa, 16)
    if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return None


def _unescape_lenient(value: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), value)


def telegram_html_to_text(text: str, *, strict_ampersand: bool = True) -> str:
    """Validate ``text`` like Telegram's HTML parser and return the visible plain text.

    Raises ``ValueError`` with Telegram's description (without the "Bad Request: "
    prefix).  Only the tags Telegram supports are accepted; ``<br>``, ``<p>``,
    ``<div>``... and a raw ``<`` are errors, as on the real server.

    ``strict_ampersand``: the real server keeps a bare ``&`` that is not an
    entity as a literal character.  The fake rejects it by default, because a
    bare ``&`` almost always means user input was not passed through
    ``html.escape`` (and the same input would break on ``<``).  Attribute values
    (``href="...?a=1&b=2"``) are always lenient.
    """
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)

    def at(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    prefix = "can't parse entities: "
    while i < n:
        ch = text[i]
        if ch == "&":
            m = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(m) if m else None
            if m is not None and decoded is not None:
                out.append(decoded)
                i = m.end()
                continue
            if strict_ampersand:
                raise ValueError(
                    f'{prefix}Character "&" at byte offset {at(i)} does not start an HTML '
                    "entity; escape it as &amp;"
                )
            out.append(ch)
            i += 1
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        end = text.find(">", i + 1)
        if end == -1:
            raise ValueError(f"{prefix}Unclosed start tag at byte offset {at(i)}")
        body = text[i + 1 : end]
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise ValueError(f"{prefix}Unexpected end tag at byte offset {at(i)}")
            if name and name != stack[-1]:
                raise ValueError(
                    f"{prefix}Unmatched end tag at byte offset {at(i)}, expected "
                    f'"</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
        else:
            name_match = re.match(r"[^\s/>]*", body)
            assert name_match is not None
            name = name_match.group(0).lower()
            if name not in HTML_TAGS:
                raise ValueError(f'{prefix}Unsupported start tag "{name}" at byte offset {at(i)}')
            attrs = {
                m.group(1).lower(): _unescape_lenient(
                    next((g for g in m.groups()[1:] if g is not None), "")
                )
                for m in _ATTR_RE.finditer(body, name_match.end())
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise ValueError(
                    f'{prefix}Tag "span" must have class "tg-spoiler" at byte offset {at(i)}'
                )
            if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
                raise ValueError(f"{prefix}Invalid custom emoji identifier specified")
            stack.append(name)
        i = end + 1
    if stack:
        raise ValueError(f'{prefix}Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)
