"""Channel-neutral replies → Telegram messages, within Telegram's limits.

A photo goes out as its clean copy (`MediaStore.outgoing`: re-encoded, no metadata), uploaded
once; later sends reuse the file id Telegram gave that upload. The file id of a citizen's own
upload is never reused: it is their original (a document keeps every byte of it). A voice note
goes the same way, as a playable voice message (`sendVoice`, OGG/Opus), or as a file to a
person whose privacy settings refuse voice messages.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest

from bot.plain_text import media_unavailable
from bot.text import shorten, split_text
from handlers.i18n import Translator
from handlers.replies import (
    Ask,
    DocumentReply,
    MenuReply,
    PhotoReply,
    Reply,
    TextReply,
    VoiceReply,
)
from storage.media import MediaStore, MediaUnavailable

CALLBACK_DATA_BYTES = 64
VOICE_FORBIDDEN = "voice_messages_forbidden"
"""Telegram's answer when the recipient accepts no voice messages (a privacy setting)."""
VOICE_FILENAME = "tin-nhan-thoai.ogg"
_KNOWN_UPLOADS = 512
CORE_COMMANDS = ("cancel", "back", "language", "help")
"""In every "/" menu, after the feature commands: they work at any step of any flow."""


def bot_commands(names: tuple[str, ...] | list[str], language: str) -> list[BotCommand]:
    t = Translator(language)
    return [BotCommand(name, t(f"command.{name}")[:256]) for name in (*names, *CORE_COMMANDS)]


def callback_data(token: str, value: str) -> str:
    data = f"{token}:{value}"
    if len(data.encode()) > CALLBACK_DATA_BYTES:
        raise ValueError(f"callback data over {CALLBACK_DATA_BYTES} bytes: {data!r}")
    return data


def markup_for(reply: TextReply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if reply.ask is not None:
        request = KeyboardButton(
            reply.ask_label or "📍",
            request_location=reply.ask is Ask.LOCATION,
            request_contact=reply.ask is Ask.CONTACT,
        )
        rows = [[request]] + [[KeyboardButton(o.label)] for o in reply.options]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if reply.options:
        token = reply.token or "-"
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(shorten(o.label, 60),
                                   callback_data=callback_data(token, o.value))]
             for o in reply.options]
        )
    return None


class Renderer:
    """Sends replies to one chat. Remembers which chats still show a reply keyboard."""

    def __init__(self, bot: Bot, media: MediaStore) -> None:
        self.bot = bot
        self.media = media
        self._keyboard_open: set[int] = set()
        self._uploaded: OrderedDict[str, str] = OrderedDict()
        """Stored path → file id of the clean copy we uploaded (bounded: bots run for months)."""

    async def send(self, chat_id: int, replies: list[Reply]) -> None:
        for reply in replies:
            if isinstance(reply, TextReply):
                await self._text(chat_id, reply)
            elif isinstance(reply, PhotoReply):
                await self._photo(chat_id, reply)
            elif isinstance(reply, VoiceReply):
                await self._voice(chat_id, reply)
            elif isinstance(reply, DocumentReply):
                await self._document(chat_id, reply)
            elif isinstance(reply, MenuReply):
                await self._menu(chat_id, reply)

    async def _menu(self, chat_id: int, reply: MenuReply) -> None:
        """This chat's own "/" list (an official's commands), or back to everyone's."""
        scope = BotCommandScopeChat(chat_id)
        if reply.commands is None:
            await self.bot.delete_my_commands(scope=scope)
        else:
            await self.bot.set_my_commands(bot_commands(reply.commands, reply.language or "vi"),
                                           scope=scope)

    async def _text(self, chat_id: int, reply: TextReply) -> None:
        chunks = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH)
        markup = markup_for(reply)
        if reply.ask is not None:
            self._keyboard_open.add(chat_id)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            chunk_markup = markup if last else None
            if chat_id in self._keyboard_open and reply.ask is None and (
                chunk_markup is None
            ):
                chunk_markup = ReplyKeyboardRemove()
                self._keyboard_open.discard(chat_id)
            await self.bot.send_message(chat_id, chunk, reply_markup=chunk_markup)

    async def _photo(self, chat_id: int, reply: PhotoReply) -> None:
        caption = _caption(reply.caption)
        file_id = self._uploaded.get(reply.path)
        if file_id is not None:
            await self.bot.send_photo(chat_id, file_id, caption=caption)
            return
        try:
            path = await asyncio.to_thread(self.media.outgoing, reply.path)
        except MediaUnavailable:  # logged by the store, with the key
            await self._text(chat_id, media_unavailable(reply))
            return
        with path.open("rb") as handle:
            sent = await self.bot.send_photo(chat_id, handle, caption=caption)
        if sent.photo:
            self._uploaded[reply.path] = sent.photo[-1].file_id
            while len(self._uploaded) > _KNOWN_UPLOADS:
                self._uploaded.popitem(last=False)

    async def _voice(self, chat_id: int, reply: VoiceReply) -> None:
        caption = _caption(reply.caption)
        known = self._uploaded.get(reply.path)
        try:
            if known is not None:
                await self.bot.send_voice(chat_id, known, caption=caption,
                                          duration=reply.duration_seconds)
                return
            path = await asyncio.to_thread(self.media.outgoing, reply.path)
            with path.open("rb") as handle:
                sent = await self.bot.send_voice(chat_id, handle, caption=caption,
                                                 duration=reply.duration_seconds,
                                                 filename=path.name)
        except BadRequest as error:
            if VOICE_FORBIDDEN not in str(error).lower():
                raise
            path = await asyncio.to_thread(self.media.outgoing, reply.path)
            with path.open("rb") as handle:
                await self.bot.send_document(chat_id, handle, caption=caption,
                                             filename=VOICE_FILENAME)
            return
        if sent.voice:
            self._uploaded[reply.path] = sent.voice.file_id
            while len(self._uploaded) > _KNOWN_UPLOADS:
                self._uploaded.popitem(last=False)

    async def _document(self, chat_id: int, reply: DocumentReply) -> None:
        try:
            path = await asyncio.to_thread(self.media.outgoing, reply.path)
        except MediaUnavailable:  # logged by the store, with the key
            await self._text(chat_id, media_unavailable(reply))
            return
        with path.open("rb") as handle:
            await self.bot.send_document(chat_id, handle, filename=reply.filename,
                                         caption=_caption(reply.caption))


def _caption(caption: str | None) -> str | None:
    return shorten(caption, MessageLimit.CAPTION_LENGTH) if caption else None
