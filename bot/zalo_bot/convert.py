"""Zalo Bot updates → channel-neutral events (photos are downloaded and stored on the way).

An update is `{event_name, message}`, from `getUpdates` or a webhook, and webhooks may wrap it
in `{ok, result}` (ZALO-NOTES §1.4: sources disagree, so both are read). Zalo has no update
id: the message id is the key that drops a redelivered update. Zalo cannot share a location,
so a pasted map link is the place: a short one is expanded first (`bot/map_links.py`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import partial
from typing import Any

from bot import map_links
from bot.channels.media import PHOTO, VOICE_NOTE, fetch_and_keep
from bot.zalo_bot.client import ZaloBotClient, ZaloNetworkError
from handlers.events import (
    CommandEvent,
    Event,
    PhotoEvent,
    Sender,
    TextEvent,
    UnsupportedEvent,
    VoiceEvent,
)
from storage.media import MediaStore
from storage.models import Channel

log = logging.getLogger(__name__)

TEXT, LINK, IMAGE = "message.text.received", "message.link.received", "message.image.received"
VOICE = "message.voice.received"
UNSUPPORTED = {
    "message.sticker.received": "sticker",
    "message.unsupported.received": "other",  # also a shared contact card (UNVERIFIED)
}
IGNORED = {"message.reaction.received"}  # a reaction needs no answer
MAX_ID = 96  # ProcessedUpdate.update_id


def unwrap(data: Any) -> dict[str, Any] | None:
    """The update inside a webhook body or a `getUpdates` result, wrapped or flat."""
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        data = data["result"]
    if not isinstance(data, dict) or not isinstance(data.get("event_name"), str):
        return None
    return data


def chat_of(update: dict[str, Any]) -> str | None:
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    return str(chat_id) if chat_id not in (None, "") else None


def update_key(update: dict[str, Any]) -> str:
    """What makes two deliveries of one update the same: its message id (or, lacking one, a
    hash of the update)."""
    message = update.get("message") if isinstance(update.get("message"), dict) else {}
    message_id = message.get("message_id")
    if message_id not in (None, "") and len(str(message_id)) <= MAX_ID:
        return str(message_id)
    canonical = json.dumps(update, sort_keys=True, ensure_ascii=False, default=str)
    return "h:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def sender_of(message: dict[str, Any]) -> Sender | None:
    """Who wrote, for private chats with a person (group chats are beta and not served)."""
    user, chat = message.get("from"), message.get("chat")
    if not isinstance(user, dict) or not isinstance(chat, dict) or user.get("is_bot"):
        return None
    if str(chat.get("chat_type") or "PRIVATE").upper() != "PRIVATE":
        return None
    if user.get("id") in (None, "") or chat.get("id") in (None, ""):
        return None
    return Sender(channel=Channel.ZALO_BOT, external_id=str(user["id"]),
                  chat_id=str(chat["id"]), display_name=str(user.get("display_name") or "")[:200])


async def to_event(update: dict[str, Any], client: ZaloBotClient,
                   media: MediaStore) -> Event | None:
    """The event an update stands for, or None for updates no person addressed to us."""
    name = update["event_name"]
    message = update.get("message")
    if name in IGNORED or not isinstance(message, dict):
        return None
    sender = sender_of(message)
    if sender is None:
        return None
    meta = {"update_id": update_key(update), "raw": update}
    if name in (TEXT, LINK):
        text = _text_of(message)
        if text is None:
            return UnsupportedEvent(sender, what="other", **meta)
        if text.startswith("/") and len(text) > 1:
            head, _, args = text[1:].partition(" ")
            return CommandEvent(sender, name=head.lower()[:64], args=args.strip(), **meta)
        return TextEvent(sender, text=await map_links.expand(text, client.session), **meta)
    if name == IMAGE:
        return await _photo(sender, message, client, media, meta)
    if name == VOICE:
        return await _voice(sender, message, client, media, meta)
    return UnsupportedEvent(sender, what=UNSUPPORTED.get(name, "other"), **meta)


def _text_of(message: dict[str, Any]) -> str | None:
    """The text of a text or link message (a link's shape is UNVERIFIED: read the likely keys)."""
    for key in ("text", "url", "link", "href"):
        value = message.get(key)
        if isinstance(value, dict):
            value = value.get("url") or value.get("href")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _photo_url(message: dict[str, Any]) -> str | None:
    """Live payloads carry `photo_url`, the docs say `photo` (ZALO-NOTES §1.4): read both."""
    for key in ("photo_url", "photo"):
        value = message.get(key)
        if isinstance(value, dict):
            value = value.get("url")
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
    return None


async def _photo(sender: Sender, message: dict[str, Any], client: ZaloBotClient,
                 media: MediaStore, meta: dict[str, Any]) -> Event:
    """Download now (the URL may not last), with the same checks as any other photo."""
    url = _photo_url(message)
    if url is None:
        return UnsupportedEvent(sender, what=PHOTO.download_failed, **meta)
    stored = await fetch_and_keep(PHOTO, media, partial(client.download_to, url),
                                  failures=(ZaloNetworkError,), update_id=meta["update_id"])
    if isinstance(stored, str):
        return UnsupportedEvent(sender, what=stored, **meta)
    caption = message.get("caption")
    return PhotoEvent(sender, media=stored, caption=caption if isinstance(caption, str) else None,
                      **meta)


async def _voice(sender: Sender, message: dict[str, Any], client: ZaloBotClient,
                 media: MediaStore, meta: dict[str, Any]) -> Event:
    """A voice note: downloaded now (within the size cap), measured and kept clean (re-encoded,
    no tags). Zalo says nothing of its length, so the sound itself is measured."""
    url = message.get("voice_url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return UnsupportedEvent(sender, what=VOICE_NOTE.download_failed, **meta)
    stored = await fetch_and_keep(VOICE_NOTE, media, partial(client.download_to, url),
                                  failures=(ZaloNetworkError,), update_id=meta["update_id"])
    if isinstance(stored, str):
        return UnsupportedEvent(sender, what=stored, **meta)
    return VoiceEvent(sender, media=stored, **meta)
