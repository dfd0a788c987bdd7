"""What the bot shows: sendMessage, sendPhoto, sendDocument, sendVoice, sendMediaGroup,
sendLocation, chat actions, edits, deletions and callback answers, stored as the person would
see them."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.fakes.telegram_api.common import (
    CHAT_ACTIONS,
    JSON,
    MAX_CALLBACK_ANSWER_TEXT,
    MAX_FILE_UPLOAD,
    MAX_MEDIA_GROUP,
    MIN_MEDIA_GROUP,
    _ApiError,
    _bad,
    _now,
)
from tests.fakes.telegram_api.files import (
    _voice_mime,
)
from tests.fakes.telegram_api.records import (
    BotMessage,
    RecordedCall,
    UploadedFile,
)
from tests.fakes.telegram_api.users import _chat_key


class Messaging:
    """The server's sending and editing methods (mixed into FakeTelegram)."""

    # --- message creation ---------------------------------------------------------------
    def _new_bot_message(
        self,
        call: RecordedCall,
        chat: JSON,
        *,
        kind: str,
        text: str | None,
        plain: str | None,
        parse_mode: str | None,
        markup: JSON | None,
        content: JSON,
        media_group_id: str | None = None,
        reply_to: JSON | None = None,
    ) -> BotMessage:
        key = _chat_key(call.params["chat_id"])
        payload: JSON = {
            "message_id": self._next_message_id(key),
            "from": dict(self.bot_user),
            "chat": dict(chat),
            "date": _now(),
            **content,
        }
        if media_group_id is not None:
            payload["media_group_id"] = media_group_id
        if reply_to is not None:
            payload["reply_to_message"] = reply_to
        if markup and "inline_keyboard" in markup:  # reply keyboards are not echoed
            payload["reply_markup"] = markup
        msg = BotMessage(
            chat_id=key,
            message_id=payload["message_id"],
            method=call.method,
            kind=kind,
            text=text,
            plain_text=plain,
            parse_mode=parse_mode,
            reply_markup=markup,
            params=call.params,
            payload=payload,
            media_group_id=media_group_id,
        )
        self._bot_messages.setdefault(key, []).append(msg)
        for woken in self._chat_waiters.pop(key, []):
            if not woken.done():
                woken.set_result(None)
        self._message_index[(key, msg.message_id)] = msg
        return msg

    @staticmethod
    def _with_caption(content: JSON, plain: str | None) -> JSON:
        if plain is not None:
            content["caption"] = plain
        return content

    # --- sending -----------------------------------------------------------------------
    async def _send_message(self, call: RecordedCall) -> JSON:
        p = call.params
        chat = self._target_chat(p)
        plain = self._check_text(p.get("text"), p.get("parse_mode"))
        markup = self._check_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(p, p["chat_id"])
        self._admit_send(p["chat_id"])
        msg = self._new_bot_message(
            call,
            chat,
            kind="text",
            text=str(p["text"]),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            content={"text": plain},
            reply_to=reply_to,
        )
        return msg.payload

    async def _send_captioned(self, call: RecordedCall,
                              resolve: Callable[[JSON], tuple[str, JSON]]) -> JSON:
        """sendPhoto, sendDocument, sendVoice: the checks each makes, in the server's order
        (chat, caption, markup, reply, then the file); `resolve` turns the request's file into
        the message's kind and content."""
        p = call.params
        chat = self._target_chat(p)
        plain = self._check_text(p.get("caption"), p.get("parse_mode"), caption=True)
        markup = self._check_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(p, p["chat_id"])
        kind, content = resolve(p)
        self._admit_send(p["chat_id"])
        msg = self._new_bot_message(
            call,
            chat,
            kind=kind,
            text=p.get("caption"),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            content=self._with_caption(content, plain),
            reply_to=reply_to,
        )
        return msg.payload

    async def _send_photo(self, call: RecordedCall) -> JSON:
        return await self._send_captioned(
            call, lambda p: ("photo", {"photo": self._resolve_photo(p.get("photo"), call)}))

    async def _send_document(self, call: RecordedCall) -> JSON:
        return await self._send_captioned(call, lambda p: (
            "document", {"document": self._resolve_file("document", p.get("document"), call)}))

    async def _send_voice(self, call: RecordedCall) -> JSON:
        """sendVoice as the Bot API describes it: a playable voice message when the audio is
        OGG/Opus, MP3 or M4A; other formats "may be sent as Audio or Document" (sent here as a
        document). ``duration`` is taken as given; a file id must name a voice already sent.
        A recipient who refuses voice messages: ``fail("sendVoice", 400, description=
        "Bad Request: VOICE_MESSAGES_FORBIDDEN")``."""
        return await self._send_captioned(call, lambda p: self._voice_content(p, call))

    def _voice_content(self, p: JSON, call: RecordedCall) -> tuple[str, JSON]:
        value = self._resolve_input_file(p.get("voice"), call)
        duration = p.get("duration")
        if duration is not None and (not str(duration).isdigit()):
            raise _bad("can't parse duration")
        if isinstance(value, UploadedFile):
            if len(value.data) > MAX_FILE_UPLOAD:
                raise _ApiError(413, "Request Entity Too Large")
            mime = _voice_mime(value.data)
            if mime is None:
                return "document", {"document": self._resolve_file("document", value, call)}
            meta: JSON = {"duration": int(duration or 0), "mime_type": mime}
            stored = self._store_file("voice", value.data, ext="oga", meta=meta)
            return "voice", {"voice": stored.as_object()}
        if isinstance(value, str) and value and not re.match(r"https?://", value):
            known = self._files.get(value)
            if known is None:
                raise _bad("wrong file identifier/HTTP URL specified")
            if known.kind != "voice":
                raise _bad("type of file mismatch")
            return "voice", {"voice": known.as_object()}
        raise _bad("there is no voice in the request")

    async def _send_media_group(self, call: RecordedCall) -> list[JSON]:
        p = call.params
        chat = self._target_chat(p)
        media = p.get("media")
        if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
            raise _bad("can't parse media JSON object")
        if len(media) > MAX_MEDIA_GROUP:
            raise _bad("too much messages to send as an album")
        if len(media) < MIN_MEDIA_GROUP:
            raise _bad(f"media group must contain {MIN_MEDIA_GROUP}-{MAX_MEDIA_GROUP} items")
        types = {m.get("type") for m in media}
        if not types <= {"photo", "video", "document", "audio"}:
            raise _bad(f"unsupported media type in album: {sorted(map(str, types))}")
        for lonely in ("document", "audio"):
            if lonely in types and len(types) > 1:
                raise _bad(f"{lonely} can't be mixed with other media types")
        reply_to = self._reply_to(p, p["chat_id"])
        prepared: list[tuple[JSON, str, str | None, JSON]] = []
        for item in media:
            plain = self._check_text(item.get("caption"), item.get("parse_mode"), caption=True)
            kind = item["type"]
            if kind == "photo":
                content: JSON = {"photo": self._resolve_photo(item.get("media"), call)}
            else:
                content = {kind: self._resolve_file(kind, item.get("media"), call)}
            prepared.append((item, kind, plain, self._with_caption(content, plain)))
        self._admit_send(p["chat_id"], len(media))
        group = str(next(self._media_group_seq))
        result = []
        for item, kind, plain, content in prepared:
            msg = self._new_bot_message(
                call,
                chat,
                kind=kind,
                text=item.get("caption"),
                plain=plain,
                parse_mode=item.get("parse_mode"),
                markup=None,
                content=content,
                media_group_id=group,
                reply_to=reply_to,
            )
            result.append(msg.payload)
        return result

    async def _send_location(self, call: RecordedCall) -> JSON:
        p = call.params
        chat = self._target_chat(p)
        try:
            lat, lon = float(p["latitude"]), float(p["longitude"])
        except (KeyError, TypeError, ValueError):
            raise _bad("latitude and longitude must be numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _bad("wrong location")
        location: JSON = {"latitude": lat, "longitude": lon}
        if p.get("live_period") is not None:
            period = int(p["live_period"])
            if not (60 <= period <= 86400 or period == 0x7FFFFFFF):
                raise _bad("wrong live period specified")
            location["live_period"] = period
        markup = self._check_markup(p.get("reply_markup"), chat)
        reply_to = self._reply_to(p, p["chat_id"])
        self._admit_send(p["chat_id"])
        msg = self._new_bot_message(
            call,
            chat,
            kind="location",
            text=None,
            plain=None,
            parse_mode=None,
            markup=markup,
            content={"location": location},
            reply_to=reply_to,
        )
        return msg.payload

    async def _send_chat_action(self, call: RecordedCall) -> bool:
        self._target_chat(call.params)
        if call.params.get("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    # --- editing ----------------------------------------------------------------------
    def _message_to_edit(self, call: RecordedCall) -> BotMessage | None:
        """The stored message an edit addresses (None for inline messages)."""
        p = call.params
        if p.get("inline_message_id"):
            return None
        self._target_chat(p)
        try:
            mid = int(p.get("message_id"))
        except (TypeError, ValueError):
            raise _bad("message identifier is not specified") from None
        key = _chat_key(p["chat_id"])
        msg = self._message_index.get((key, mid))
        if msg is None and (key, mid) in self._user_messages:
            raise _bad("message can't be edited")
        if msg is None or msg.deleted:
            raise _bad("message to edit not found")
        return msg

    @staticmethod
    def _inline(markup: JSON | None) -> JSON | None:
        return markup if markup and markup.get("inline_keyboard") else None

    def _apply_edit(
        self,
        call: RecordedCall,
        msg: BotMessage,
        *,
        text: str | None,
        plain: str | None,
        parse_mode: str | None,
        markup: JSON | None,
        text_field: str,
    ) -> JSON:
        same_text = (text, parse_mode) == (msg.text, msg.parse_mode)
        if same_text and self._inline(markup) == self._inline(msg.reply_markup):
            raise _bad(
                "message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of "
                "the message"
            )
        msg.edits.append(
            {
                "method": call.method,
                "text": msg.text,
                "plain_text": msg.plain_text,
                "parse_mode": msg.parse_mode,
                "reply_markup": msg.reply_markup,
                "at": call.at,
            }
        )
        msg.text, msg.plain_text, msg.parse_mode = text, plain, parse_mode
        if markup is not None or self._inline(msg.reply_markup) is not None:
            msg.reply_markup = markup  # an edit without reply_markup removes the inline keyboard
        payload = msg.payload
        payload.pop(text_field, None)
        if plain is not None:
            payload[text_field] = plain
        payload.pop("reply_markup", None)
        if self._inline(markup):
            payload["reply_markup"] = markup
        payload["edit_date"] = _now()
        return payload

    async def _edit_message_text(self, call: RecordedCall) -> JSON | bool:
        p = call.params
        msg = self._message_to_edit(call)
        plain = self._check_text(p.get("text"), p.get("parse_mode"))
        markup = self._check_markup(p.get("reply_markup"), {}, inline_only=True)
        if msg is None:
            return True
        if msg.kind != "text":
            raise _bad("there is no text in the message to edit")
        return self._apply_edit(
            call,
            msg,
            text=str(p["text"]),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            text_field="text",
        )

    async def _edit_message_caption(self, call: RecordedCall) -> JSON | bool:
        p = call.params
        msg = self._message_to_edit(call)
        plain = self._check_text(p.get("caption"), p.get("parse_mode"), caption=True)
        markup = self._check_markup(p.get("reply_markup"), {}, inline_only=True)
        if msg is None:
            return True
        if msg.kind in ("text", "location"):
            raise _bad("there is no caption in the message to edit")
        return self._apply_edit(
            call,
            msg,
            text=p.get("caption"),
            plain=plain,
            parse_mode=p.get("parse_mode"),
            markup=markup,
            text_field="caption",
        )

    async def _edit_message_reply_markup(self, call: RecordedCall) -> JSON | bool:
        p = call.params
        msg = self._message_to_edit(call)
        markup = self._check_markup(p.get("reply_markup"), {}, inline_only=True)
        if msg is None:
            return True
        return self._apply_edit(
            call,
            msg,
            text=msg.text,
            plain=msg.plain_text,
            parse_mode=msg.parse_mode,
            markup=markup,
            text_field="text" if msg.kind == "text" else "caption",
        )

    async def _delete_message(self, call: RecordedCall) -> bool:
        p = call.params
        self._target_chat(p)
        key, mid = _chat_key(p["chat_id"]), int(p.get("message_id") or 0)
        msg = self._message_index.get((key, mid))
        if msg is not None and not msg.deleted:
            msg.deleted = True
            return True
        if (key, mid) in self._user_messages:
            del self._user_messages[(key, mid)]
            return True
        raise _bad("message to delete not found")

    async def _answer_callback_query(self, call: RecordedCall) -> bool:
        query_id = str(call.params.get("callback_query_id") or "")
        if query_id not in self._callbacks or query_id in self.callback_answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = call.params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_TEXT:
            raise _bad("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(call.params)
        return True
