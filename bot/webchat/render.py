"""Channel-neutral replies → HTML for the web chat.

The web has what Telegram has and more: options become buttons, a location request becomes
"use my location" (the browser's geolocation) or a click on a small map, a contact request
becomes a hint to type the number. Photos and documents for this person are inlined as data
URLs, because the media store is private and a URL would need its own access control. A photo is
its clean copy (`MediaStore.outgoing`), made once and kept, never the original.
"""

from __future__ import annotations

import asyncio
import base64
import mimetypes
from dataclasses import dataclass

from aiohttp import web

from bot.plain_text import media_unavailable
from bot.web.templating import render_fragment
from handlers.replies import DocumentReply, Option, PhotoReply, Reply, TextReply, VoiceReply
from storage.media import MediaStore, MediaUnavailable
from storage.media_audio import BadAudio
from storage.media_copies import BadImage

MAX_INLINE_DOCUMENT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ReplyView:
    kind: str  # "text" | "photo" | "document" | "notice"
    text: str = ""
    options: tuple[Option, ...] = ()
    token: str = ""
    ask: str | None = None
    ask_label: str | None = None
    free_input: bool = True
    src: str | None = None
    filename: str | None = None
    sources: tuple[tuple[str, str], ...] = ()
    """A voice note's (data URL, type) pairs, for an <audio> element: Opus, then AAC."""


async def reply_views(replies: list[Reply], media: MediaStore) -> list[ReplyView]:
    views: list[ReplyView] = []
    for reply in replies:
        if isinstance(reply, TextReply):
            views.append(ReplyView(
                "text", reply.text, reply.options, reply.token or "",
                reply.ask.value if reply.ask else None, reply.ask_label,
                reply.free_input or not reply.options))
        elif isinstance(reply, PhotoReply):
            try:
                src = await asyncio.to_thread(_photo_data_url, media, reply.path)
            except MediaUnavailable:  # logged by the store, with the key
                views.append(ReplyView("photo", media_unavailable(reply).text))
                continue
            views.append(ReplyView("photo", reply.caption or "", src=src))
        elif isinstance(reply, VoiceReply):
            sources = await asyncio.to_thread(_voice_sources, media, reply.path)
            views.append(ReplyView("voice", reply.caption or "", sources=sources))
        elif isinstance(reply, DocumentReply):
            try:
                document: str | None = await asyncio.to_thread(
                    _document_data_url, media, reply.path, reply.filename)
            except MediaUnavailable:
                views.append(ReplyView("document", media_unavailable(reply).text,
                                       filename=reply.filename))
                continue
            views.append(ReplyView("document", reply.caption or "", src=document,
                                   filename=reply.filename))
    return views


def _photo_data_url(media: MediaStore, relative: str) -> str | None:
    try:
        data = media.outgoing(relative, size="large").read_bytes()
    except (FileNotFoundError, BadImage):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def _voice_sources(media: MediaStore, relative: str) -> tuple[tuple[str, str], ...]:
    """The clean voice note as Opus (most browsers) and as AAC in M4A (Safari on old
    iPhones), inlined like photos: the store is private."""
    sources = []
    try:
        for path, kind in ((relative, "audio/ogg; codecs=opus"),
                           (media.voice_variant(relative, "m4a"), "audio/mp4")):
            data = media.outgoing(path).read_bytes()
            sources.append((f"data:{kind.split(';')[0]};base64,"
                            + base64.b64encode(data).decode("ascii"), kind))
    except (FileNotFoundError, BadAudio, MediaUnavailable):  # shown without a player
        pass
    return tuple(sources)


def _document_data_url(media: MediaStore, relative: str, filename: str) -> str | None:
    path = media.outgoing(relative)
    if path.stat().st_size > MAX_INLINE_DOCUMENT_BYTES:
        return None
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def render_replies(request: web.Request, views: list[ReplyView], *, language: str,
                   pushed: bool = False) -> str:
    """`pushed`: the bot wrote on its own (a notice), not in answer to what the person did."""
    return render_fragment(request, "chat_replies.html", language=language, views=views,
                           pushed=pushed)


def notice(text: str) -> ReplyView:
    """A line from the web chat itself (not from a flow): rate limits, upload problems."""
    return ReplyView("notice", text)
