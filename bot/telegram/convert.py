"""Telegram updates → channel-neutral events (photos are downloaded and stored on the way)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Bot, Message, Update
from telegram.error import TelegramError

from bot.channels.media import PHOTO, VOICE_NOTE, Download, fetch_and_keep
from handlers.events import (
    ChoiceEvent,
    CommandEvent,
    ContactEvent,
    Event,
    LocationEvent,
    PhotoEvent,
    Sender,
    TextEvent,
    UnsupportedEvent,
    VideoEvent,
    VoiceEvent,
)
from storage.media import MediaRejected, MediaStore
from storage.models import Channel

log = logging.getLogger(__name__)

_UNSUPPORTED = ("sticker", "animation", "poll", "dice", "game", "story")
TOO_BIG = "file is too big"
"""How the Bot API refuses `getFile` for a file over 20 MB (tdlib/telegram-bot-api, without
--local): a video past it can only come as a link."""


def sender_of(update: Update) -> Sender | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private" or user.is_bot:
        return None
    return Sender(channel=Channel.TELEGRAM, external_id=str(user.id), chat_id=str(chat.id),
                  display_name=user.full_name, username=user.username,
                  language_code=user.language_code)


async def to_event(update: Update, bot: Bot, media: MediaStore) -> Event | None:
    """The event an update stands for, or None for updates a person did not address to us."""
    sender = sender_of(update)
    if sender is None:
        return None
    meta = {"update_id": str(update.update_id), "raw": update}
    if update.callback_query is not None:
        token, _, value = (update.callback_query.data or "").partition(":")
        return ChoiceEvent(sender, token=token, value=value, **meta)
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        if message.text.startswith("/") and len(message.text) > 1:
            head, _, args = message.text[1:].partition(" ")
            name = head.split("@", 1)[0].lower()
            return CommandEvent(sender, name=name, args=args.strip(), **meta)
        return TextEvent(sender, text=message.text, **meta)
    if message.photo:
        return await _photo(sender, message, message.photo[-1].file_id,
                            message.photo[-1].file_size, bot, media, meta)
    sound = message.voice or message.audio
    if sound is not None:
        return await _voice(sender, sound.file_id, sound.file_size,
                            sound.to_dict().get("duration"), bot, media, meta)
    moving = message.video or message.video_note
    if moving is not None:
        return await _video(sender, message, moving.file_id, moving.file_size,
                            moving.to_dict().get("duration"), bot, media, meta)
    if message.document is not None:
        document = message.document
        if (document.mime_type or "").startswith("video/"):
            return await _video(sender, message, document.file_id, document.file_size, None,
                                bot, media, meta)
        if (document.mime_type or "").startswith("image/"):
            return await _photo(sender, message, document.file_id, document.file_size, bot,
                                media, meta)
        if (document.mime_type or "").startswith("audio/"):
            return await _voice(sender, document.file_id, document.file_size, None, bot, media,
                                meta)
        return UnsupportedEvent(sender, what="document", **meta)
    if message.venue is not None:
        venue = message.venue
        return LocationEvent(sender, latitude=venue.location.latitude,
                             longitude=venue.location.longitude, title=venue.title, **meta)
    if message.location is not None:
        return LocationEvent(sender, latitude=message.location.latitude,
                             longitude=message.location.longitude, **meta)
    if message.contact is not None:
        contact = message.contact
        own = contact.user_id is not None and str(contact.user_id) == sender.external_id
        return ContactEvent(sender, phone=contact.phone_number, is_own=own, **meta)
    for kind in _UNSUPPORTED:
        if getattr(message, kind, None):
            return UnsupportedEvent(sender, what=kind, **meta)
    return UnsupportedEvent(sender, what="other", **meta)


async def _photo(sender: Sender, message: Message, file_id: str, size: int | None, bot: Bot,
                 media: MediaStore, meta: dict) -> Event:
    if size is not None and size > media.max_image_bytes:
        return UnsupportedEvent(sender, what=PHOTO.too_large, **meta)
    stored = await fetch_and_keep(PHOTO, media, _download(bot, file_id),
                                  failures=(TelegramError,), update_id=meta["update_id"],
                                  platform_file_id=file_id)
    if isinstance(stored, str):
        return UnsupportedEvent(sender, what=stored, **meta)
    return PhotoEvent(sender, media=stored, caption=message.caption,
                      album_id=message.media_group_id, **meta)


async def _voice(sender: Sender, file_id: str, size: int | None, duration: object, bot: Bot,
                 media: MediaStore, meta: dict) -> Event:
    """A voice note (or a sound file): refused from what Telegram says of it when it is over
    the caps, else downloaded and kept clean (re-encoded, no tags)."""
    if size is not None and size > media.max_voice_bytes:
        return UnsupportedEvent(sender, what=VOICE_NOTE.too_large, **meta)
    if _seconds(duration) > media.max_voice_seconds + 1:
        return UnsupportedEvent(sender, what="voice_too_long", **meta)
    stored = await fetch_and_keep(VOICE_NOTE, media, _download(bot, file_id),
                                  failures=(TelegramError,), update_id=meta["update_id"],
                                  platform_file_id=file_id)
    if isinstance(stored, str):
        return UnsupportedEvent(sender, what=stored, **meta)
    return VoiceEvent(sender, media=stored, **meta)


def _download(bot: Bot, file_id: str) -> Download:
    """Telegram's file, by its id (its size was checked from the update before)."""
    async def download(path: Path, *, max_bytes: int) -> None:
        telegram_file = await bot.get_file(file_id)
        await telegram_file.download_to_drive(path)
    return download


async def _video(sender: Sender, message: Message, file_id: str, size: int | None,
                 duration: object, bot: Bot, media: MediaStore, meta: dict) -> Event:
    """A video or a round video note: refused from what Telegram says of it when it is over
    the caps (20 MB is also all the Bot API lets a bot download), else downloaded and kept
    clean (re-encoded, no metadata, a poster frame)."""
    if size is not None and size > media.max_video_bytes:
        return UnsupportedEvent(sender, what="video_too_large", **meta)
    if _seconds(duration) > media.max_video_seconds + 1:
        return UnsupportedEvent(sender, what="video_too_long", **meta)
    try:
        telegram_file = await bot.get_file(file_id)
        with media.incoming_file() as path:  # to disk, not memory; removed once stored
            await telegram_file.download_to_drive(path)
            stored = await asyncio.to_thread(media.save_video_file, path,
                                             platform_file_id=file_id)
    except MediaRejected as rejected:
        return UnsupportedEvent(sender, what=rejected.reason, **meta)
    except TelegramError as error:
        too_big = TOO_BIG in str(error).lower()
        log.warning("video download failed",
                    extra={"update_id": meta["update_id"], "error": str(error)})
        return UnsupportedEvent(sender, what="video_too_large" if too_big
                                else "video_download_failed", **meta)
    return VideoEvent(sender, media=stored, caption=message.caption, **meta)


def _seconds(duration: object) -> float:
    """The duration as the Bot API sent it (whole seconds; PTB's attribute warns as it moves
    to timedelta, so the dict form is read)."""
    return float(duration) if isinstance(duration, int | float) else 0.0
