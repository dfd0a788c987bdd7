"""Channel-neutral replies → Zalo Bot messages: plain text (`bot/plain_text.py`) in pieces of at
most 2,000 characters, photos and documents by signed links to our own web server.

Replies to a person are retried under the channel host's policy (`retry`,
bot/channels/retry.py) when Zalo says 429 "Quota exceeded" or cannot be reached, one API call
at a time, so a retry never repeats a message already delivered. The outbox's sends are not
retried here: the outbox has its own backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.retry import ReplyRetry
from bot.plain_text import media_unavailable, plain_text
from bot.text import shorten, split_text
from bot.web.signed_media import SignedMediaUrls
from bot.zalo_bot.client import MAX_TEXT, ZaloApiError, ZaloBotClient
from bot.zalo_bot.errors import classify
from handlers.i18n import Translator
from handlers.replies import (
    ACTION_TOKEN,
    DocumentReply,
    PhotoReply,
    Reply,
    TextReply,
    VoiceReply,
)
from storage.media import MediaStore

log = logging.getLogger(__name__)

class ZaloRenderer:
    def __init__(self, client: ZaloBotClient, links: SignedMediaUrls, *,
                 retry: ReplyRetry | None = None,
                 pace: Callable[[], Awaitable[None]] | None = None) -> None:
        """`retry`: the host's policy for a reply's requests (none for the outbox's notices);
        `pace`: waits for the message's place in Zalo's rate budget (bot/channels/budget.py,
        shared by replies and notices, replies first)."""
        self.client = client
        self.links = links
        self.retry = retry
        self.pace = pace

    async def send(self, chat_id: str, replies: list[Reply], *,
                   actions_numbered: bool = True) -> None:
        """Send in order. `actions_numbered` false lists action buttons for reading only."""
        language = next((r.language for r in replies
                         if isinstance(r, TextReply) and r.language), "vi")
        for reply in replies:
            if isinstance(reply, TextReply):
                numbered = actions_numbered or reply.token != ACTION_TOKEN
                await self.text(chat_id, plain_text(reply, numbered=numbered))
            elif isinstance(reply, PhotoReply):
                await self._photo(chat_id, reply)
            elif isinstance(reply, DocumentReply):
                await self._document(chat_id, reply)
            elif isinstance(reply, VoiceReply):
                await self._voice(chat_id, reply, language)

    async def text(self, chat_id: str, text: str) -> None:
        for chunk in split_text(text, MAX_TEXT):
            await self._call(lambda chunk=chunk: self.client.send_message(chat_id, chunk))

    async def _photo(self, chat_id: str, reply: PhotoReply) -> None:
        link = self.links.url_for(reply.path)
        if link is None:
            log.warning("zalo photo not sent: the web server has no public address")
            if reply.caption:
                await self.text(chat_id, reply.caption)
            return
        caption = shorten(reply.caption, MAX_TEXT) if reply.caption else None
        try:
            await self._call(lambda: self.client.send_photo(chat_id, link, caption=caption))
        except ZaloApiError as error:
            if error.status != 400:
                raise
            # Zalo could not fetch the photo from our link: our server answers 503 while the
            # media store refuses it (logged there, with the key). Say so instead.
            log.warning("zalo photo not sent: zalo could not fetch our link",
                        extra={"status": error.status})
            await self.text(chat_id, plain_text(media_unavailable(reply)))

    async def _document(self, chat_id: str, reply: DocumentReply) -> None:
        """Zalo Bot cannot send files: a link to download it, valid for a while."""
        link = self.links.url_for(reply.path, filename=reply.filename)
        if link is None:
            log.warning("zalo document link not sent: the web server has no public address")
        lines = [reply.caption, f"📎 {reply.filename}", link]
        await self.text(chat_id, "\n".join(line for line in lines if line))

    async def _voice(self, chat_id: str, reply: VoiceReply, language: str) -> None:
        """Zalo plays an .aac voice message (`sendVoice`); its caption, with a link that any
        phone's browser plays, follows as text (sendVoice takes no caption). Both open the
        clean copy only, for a while."""
        aac = self.links.url_for(MediaStore.voice_variant(reply.path, "aac"))
        m4a = self.links.url_for(MediaStore.voice_variant(reply.path, "m4a"),
                                 filename="tin-nhan-thoai.m4a")
        if aac is None or m4a is None:
            log.warning("zalo voice not sent: the web server has no public address")
            if reply.caption:
                await self.text(chat_id, reply.caption)
            return
        await self._call(lambda: self.client.send_voice(chat_id, aac))
        t = Translator(language)
        await self.text(chat_id, t("voice.listen", caption=reply.caption or "", link=m4a))

    async def _call(self, send: Callable[[], Awaitable[Any]]) -> Any:
        async def once() -> Any:
            if self.pace is not None:
                await self.pace()
            return await send()

        if self.retry is None:
            return await once()
        return await self.retry.call(once, classify)
