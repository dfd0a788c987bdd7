"""Channel-neutral replies → OA messages, within what the OA Open API allows.

- Up to 5 options become `oa.query.hide` buttons whose payload names the question and the
  option (bot/zalo_oa/payloads.py); more options become numbered lines (`bot/plain_text.py`,
  the layout every channel without buttons shares), answered by a typed number or label.
- A button title longer than Zalo may take (20 characters, UNVERIFIED) is shortened, and the
  full labels are then listed in the message as numbered lines, so nothing is hidden.
- A location request gets a line on how to share a location in Zalo (the OA has no location
  button, but a shared location arrives with its coordinates); a phone request gets Zalo's
  `request_user_info` card, whose answer brings the number (or the number can be typed).
- Text is cut into pieces of at most 2,000 characters; buttons go with the last piece.
- Photos are uploaded for an `attachment_id`: the photo's clean copy (`MediaStore.outgoing`, no
  metadata), re-encoded smaller above the upload cap; documents are uploaded as files.
"""

from __future__ import annotations

import asyncio
import io
import logging
import mimetypes
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from bot.channels.retry import ReplyRetry
from bot.plain_text import media_unavailable, plain_text
from bot.text import shorten, split_text
from bot.web.signed_media import SignedMediaUrls
from bot.zalo_oa.client import MAX_BUTTONS, MAX_TEXT, ZaloOAClient
from bot.zalo_oa.errors import classify
from bot.zalo_oa.payloads import PayloadCodec
from handlers.i18n import Translator
from handlers.options import short_label
from handlers.replies import Ask, DocumentReply, PhotoReply, Reply, TextReply, VoiceReply
from storage.media import MediaStore, MediaUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

CARD_TITLE_MAX = 100
_KNOWN_UPLOADS = 512


class OARenderer:
    def __init__(self, client: ZaloOAClient, media: MediaStore, codec: PayloadCodec, *,
                 title_max: int = 20, info_image_url: str | None = None,
                 upload_max_bytes: int = 1_000_000, links: SignedMediaUrls | None = None,
                 public_url: Callable[[], str | None] = lambda: None,
                 retry: ReplyRetry | None = None) -> None:
        """`retry`: the host's policy for a reply's requests (bot/channels/retry.py); none for
        the outbox's notices, which it retries on its own."""
        self.client = client
        self.retry = retry
        self.media = media
        self.codec = codec
        self.title_max = title_max
        self.info_image_url = info_image_url
        self.upload_max_bytes = upload_max_bytes
        self.links = links
        self.public_url = public_url
        """The web server's public address, once known (the links of voice notes need it)."""
        self._uploaded: OrderedDict[str, str] = OrderedDict()

    async def send(self, user_id: str, replies: list[Reply]) -> None:
        language = next((r.language for r in replies
                         if isinstance(r, TextReply) and r.language), "vi")
        for reply in replies:
            if isinstance(reply, TextReply):
                for message in self.text_messages(user_id, reply):
                    await self._send(user_id, message)
            elif isinstance(reply, PhotoReply):
                await self._photo(user_id, reply)
            elif isinstance(reply, DocumentReply):
                await self._document(user_id, reply)
            elif isinstance(reply, VoiceReply):
                await self._voice(user_id, reply, language)

    # -- text --------------------------------------------------------------------------------

    def text_messages(self, user_id: str, reply: TextReply) -> list[dict[str, Any]]:
        """The messages one text reply becomes, in order."""
        t = Translator(reply.language or "vi")
        options = reply.options
        buttons: list[dict[str, str]] = []
        text = reply.text.rstrip()
        if 0 < len(options) <= MAX_BUTTONS:
            titles = [shorten(short_label(o.label), self.title_max) for o in options]
            if any(title != short_label(o.label)
                   for title, o in zip(titles, options, strict=True)):
                # Shortened titles: the full labels go in the text, as on text-only channels
                # (numbered where a number picks one; as words to type beside a free answer).
                text = plain_text(replace(reply, ask=None))
                if not reply.free_input:
                    titles = [shorten(f"{n}. {short_label(o.label)}", self.title_max)
                              for n, o in enumerate(options, 1)]
            buttons = [{"title": title, "type": "oa.query.hide",
                        "payload": self.codec.encode(user_id, reply.token or "-", o.value)}
                       for title, o in zip(titles, options, strict=True)]
        elif options:
            text = plain_text(replace(reply, ask=None))
        if reply.ask is Ask.LOCATION:
            text += "\n\n" + t("zalo_oa.ask_location")
        elif reply.ask is Ask.CONTACT:
            text += "\n\n" + t("zalo_oa.ask_contact")
        chunks = split_text(text, MAX_TEXT)
        messages: list[dict[str, Any]] = [{"text": chunk} for chunk in chunks]
        if buttons:
            messages[-1]["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
        if reply.ask is Ask.CONTACT:
            messages.append(self._contact_card(t, reply))
        return messages

    def _contact_card(self, t: Translator, reply: TextReply) -> dict[str, Any]:
        element = {"title": shorten(reply.ask_label or t("zalo_oa.contact.title"),
                                    CARD_TITLE_MAX),
                   "subtitle": t("zalo_oa.contact.subtitle")}
        if self.info_image_url:
            element["image_url"] = self.info_image_url
        return {"attachment": {"type": "template", "payload": {
            "template_type": "request_user_info", "elements": [element]}}}

    # -- media -------------------------------------------------------------------------------

    async def _photo(self, user_id: str, reply: PhotoReply) -> None:
        attachment_id = self._uploaded.get(reply.path)
        if attachment_id is None:
            try:
                data, mime, name = await asyncio.to_thread(self._fitted, reply.path)
            except MediaUnavailable:  # logged by the store, with the key
                await self.send(user_id, [media_unavailable(reply)])
                return
            attachment_id = await self._call(lambda: self.client.upload_image(
                data, filename=name, mime_type=mime))
            self._remember(reply.path, attachment_id)
        message: dict[str, Any] = {"attachment": {"type": "template", "payload": {
            "template_type": "media",
            "elements": [{"media_type": "image", "attachment_id": attachment_id}]}}}
        if reply.caption:
            message["text"] = shorten(reply.caption, MAX_TEXT)
        await self._send(user_id, message)

    async def _document(self, user_id: str, reply: DocumentReply) -> None:
        try:
            data = await asyncio.to_thread(lambda: self.media.outgoing(reply.path).read_bytes())
        except MediaUnavailable:  # logged by the store, with the key
            await self.send(user_id, [media_unavailable(reply)])
            return
        mime = mimetypes.guess_type(reply.filename)[0] or "application/octet-stream"
        token = await self._call(lambda: self.client.upload_file(
            data, filename=reply.filename, mime_type=mime))
        if reply.caption:
            for chunk in split_text(reply.caption, MAX_TEXT):
                await self._send(user_id, {"text": chunk})
        await self._send(user_id, {"attachment": {"type": "file", "payload": {"token": token}}})

    async def _voice(self, user_id: str, reply: VoiceReply, language: str) -> None:
        """The OA API sends no sound (its file upload takes documents only): a signed link to
        the clean AAC copy, which any phone's browser plays, valid for a while."""
        link = None
        if self.links is not None:
            self.links.base_url = self.links.base_url or self.public_url()
            link = self.links.url_for(MediaStore.voice_variant(reply.path, "m4a"),
                                      filename="tin-nhan-thoai.m4a")
        if link is None:
            log.warning("zalo oa voice note not sent: the web server has no public address")
        t = Translator(language)
        text = t("voice.listen", caption=reply.caption or "", link=link) if link \
            else reply.caption or ""
        for chunk in split_text(text, MAX_TEXT):
            await self._send(user_id, {"text": chunk})

    async def _send(self, user_id: str, message: dict[str, Any]) -> None:
        await self._call(lambda: self.client.send(user_id, message))

    async def _call(self, request: Callable[[], Awaitable[T]]) -> T:
        """One request to the OA, under the retry policy when there is one."""
        if self.retry is None:
            return await request()
        return await self.retry.call(request, classify)

    def _fitted(self, relative: str) -> tuple[bytes, str, str]:
        return fit_image(self.media.outgoing(relative), self.upload_max_bytes)

    def _remember(self, path: str, attachment_id: str) -> None:
        self._uploaded[path] = attachment_id
        while len(self._uploaded) > _KNOWN_UPLOADS:
            self._uploaded.popitem(last=False)


def fit_image(path: Path, max_bytes: int) -> tuple[bytes, str, str]:
    """The (clean) image's bytes, as they are if small enough, else re-encoded as a smaller
    JPEG (Zalo takes about 1 MB per image: UNVERIFIED, so the cap is a setting)."""
    data = path.read_bytes()
    mime = mimetypes.guess_type(path.name)[0] or "image/jpeg"
    if len(data) <= max_bytes:
        return data, mime, path.name
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
    quality, scale = 85, 1.0
    while True:
        resized = image if scale == 1.0 else image.resize(
            (max(1, int(image.width * scale)), max(1, int(image.height * scale))))
        buffer = io.BytesIO()
        resized.save(buffer, format="JPEG", quality=quality, optimize=True)
        if buffer.tell() <= max_bytes or (scale < 0.1 and quality <= 40):
            return buffer.getvalue(), "image/jpeg", path.stem + ".jpg"
        if quality > 60:
            quality -= 10
        else:
            scale *= 0.75
