"""Replies laid out as plain text, for channels without buttons (Zalo Bot; any text-only one).

The one place where a reply gives up what such a channel lacks, so no flow ever knows:

- options to pick from become numbered lines ("1. Tập thể"), answered by a typed number, the
  label, or an unambiguous start of it (`handlers/options.py` reads what comes back);
- shortcuts beside a typed answer (skip, done) become "👉 Hoặc gõ: Bỏ qua";
- a location request asks for a pasted Google Maps / OpenStreetMap link or typed coordinates
  (`handlers/geo.py` parses them); a phone-number request asks for the number typed
  (`handlers/phone.py` checks it).
"""

from __future__ import annotations

from handlers.i18n import Translator
from handlers.options import short_label
from handlers.replies import Ask, DocumentReply, PhotoReply, TextReply


def plain_text(reply: TextReply, *, numbered: bool = True) -> str:
    """The whole reply as one text, hints in the reader's language. With `numbered` false the
    options are listed for reading only (a typed number would not reach them)."""
    t = Translator(reply.language or "vi")
    parts = [reply.text.rstrip()]
    if reply.ask is Ask.LOCATION:
        parts.append(t("plain.ask_location"))
    elif reply.ask is Ask.CONTACT:
        parts.append(t("plain.ask_contact"))
    if reply.options and reply.free_input:
        words = " · ".join(short_label(option.label) for option in reply.options)
        parts.append(t("plain.shortcuts", words=words))
    elif reply.options and not numbered:
        parts.append("\n".join(f"• {option.label}" for option in reply.options))
    elif reply.options:
        lines = [f"{number}. {option.label}" for number, option in enumerate(reply.options, 1)]
        hint = (t("plain.pick_one") if len(reply.options) == 1
                else t("plain.pick_number", last=len(reply.options)))
        parts.append("\n".join(lines) + "\n" + hint)
    return "\n\n".join(part for part in parts if part)


def media_unavailable(reply: PhotoReply | DocumentReply) -> TextReply:
    """What goes out instead of a photo or file the media store cannot give now (a bucket that
    refuses, a full disk): its caption, and why it is missing, in the reader's language."""
    t = Translator(reply.language or "vi")
    why = t("media.photo_unavailable" if isinstance(reply, PhotoReply)
            else "media.document_unavailable")
    return TextReply("\n".join(part for part in (reply.caption, why) if part),
                     language=reply.language)
