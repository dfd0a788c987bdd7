"""The user side: a person in a private chat with the bot, who writes, presses buttons, sends
photos, voice notes, places and contacts, and reads what the bot showed them."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram_api.common import (
    _BUTTON_ACTIONS,
    JSON,
    ChatKey,
    _bad,
    _now,
    _utf16_len,
)
from tests.fakes.telegram_api.files import (
    make_jpeg,
)
from tests.fakes.telegram_api.records import (
    BotMessage,
)

if TYPE_CHECKING:
    from tests.fakes.telegram_api.server import FakeTelegram


# --------------------------------------------------------------------------------------
# User side
# --------------------------------------------------------------------------------------
def _chat_key(value: Any) -> ChatKey:
    """Normalise a chat_id as PTB sends it ("123", 123, "@channel")."""
    if isinstance(value, FakeUser):
        return value.id
    if isinstance(value, bool):
        raise _bad("chat not found")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = str(value).strip()
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    return s


class FakeUser:
    """A Telegram user in a private chat with the bot.

    The ``send_*`` / ``press*`` helpers are synchronous: they only queue an
    update (returned value: its update_id); the bot receives it on its next
    ``getUpdates``.
    """

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self._fake = fake
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code

    @property
    def chat_id(self) -> int:
        return self.id

    def as_dict(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                user[key] = getattr(self, key)
        return user

    def chat(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat

    # --- what the bot shows this user -------------------------------------------------
    @property
    def inbox(self) -> list[BotMessage]:
        return self._fake.messages(self.id)

    @property
    def last(self) -> BotMessage:
        inbox = self.inbox
        if not inbox:
            raise AssertionError(f"the bot has not sent anything to user {self.id}")
        return inbox[-1]

    async def wait_for_message(
        self,
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> list[BotMessage]:
        return await self._fake.wait_for_message(self.id, count, timeout, since=since)

    def block(self) -> None:
        """From now on sends to this user fail with 403 "bot was blocked by the user"."""
        self._fake._blocked.add(self.id)

    def unblock(self) -> None:
        self._fake._blocked.discard(self.id)

    # --- what this user does -------------------------------------------------------------
    def send_text(self, text: str, *, reply_to_message_id: int | None = None) -> int:
        content: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        if reply_to_message_id is not None:
            content["reply_to_message"] = self._fake._any_message_payload(
                self.id, reply_to_message_id
            )
        return self._fake._enqueue_user_message(self, content)

    def send_command(self, command: str, payload: str | None = None) -> int:
        text = "/" + command.lstrip("/")
        return self.send_text(f"{text} {payload}" if payload else text)

    def press(self, label: str, *, message_id: int | None = None) -> int:
        """Press the inline button with this text (or callback_data).

        Looks at message ``message_id`` or, by default, the latest bot message in
        this chat that has an inline keyboard.
        """
        msg = self._fake._keyboard_message(self.id, message_id)
        button = msg.button(label)
        if "callback_data" not in button:
            kinds = [k for k in _BUTTON_ACTIONS if k in button]
            raise ValueError(f"button {label!r} sends no callback query (it is a {kinds} button)")
        return self._fake._enqueue_callback(self, msg.payload, button["callback_data"])

    def press_data(self, data: str, message_id: int | None = None) -> int:
        """A callback query with arbitrary data: forged, stale or for an old message."""
        if message_id is None:
            try:
                payload = self._fake._keyboard_message(self.id, None).payload
            except LookupError:
                sent = [m for m in self.inbox if not m.deleted]
                if not sent:
                    raise LookupError(
                        f"no bot message in chat {self.id} to attach data to"
                    ) from None
                payload = sent[-1].payload
        else:
            msg = self._fake._message_index.get((self.id, message_id))
            if msg is not None and not msg.deleted:
                payload = msg.payload
            else:  # InaccessibleMessage, as Telegram sends for deleted/old messages
                payload = {"chat": self.chat(), "message_id": message_id, "date": 0}
        return self._fake._enqueue_callback(self, payload, data)

    def send_photo(
        self,
        image: bytes | None = None,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> int:
        data = make_jpeg() if image is None else image
        content: JSON = {"photo": self._fake._register_photo(data, lenient=True)}
        if caption is not None:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return self._fake._enqueue_user_message(self, content)

    def send_album(self, n: int, caption: str | None = None) -> list[int]:
        """``n`` photo updates sharing one media_group_id; the caption rides on the first."""
        group = str(next(self._fake._media_group_seq))
        return [
            self.send_photo(caption=caption if i == 0 else None, media_group_id=group)
            for i in range(n)
        ]

    def send_document(
        self,
        data: bytes,
        mime_type: str = "image/jpeg",
        file_name: str = "x.jpg",
        caption: str | None = None,
    ) -> int:
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self._fake._store_file(
            "document", data, ext=ext, meta={"file_name": file_name, "mime_type": mime_type}
        )
        content: JSON = {"document": stored.as_object()}
        if caption is not None:
            content["caption"] = caption
        return self._fake._enqueue_user_message(self, content)

    def send_sticker(self, emoji: str = "👍") -> int:
        stored = self._fake._store_file(
            "sticker",
            b"RIFF\x00\x00\x00\x00WEBPfake-sticker",
            ext="webp",
            meta={
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            },
        )
        return self._fake._enqueue_user_message(self, {"sticker": stored.as_object()})

    def send_voice(self, duration: int = 3, data: bytes | None = None) -> int:
        stored = self._fake._store_file(
            "voice",
            data or b"OggS\x00fake-voice",
            ext="oga",
            meta={"duration": duration, "mime_type": "audio/ogg"},
        )
        return self._fake._enqueue_user_message(self, {"voice": stored.as_object()})

    def send_video(self, data: bytes, *, duration: int, width: int = 320, height: int = 240,
                   mime_type: str = "video/mp4", caption: str | None = None) -> int:
        """A video as the Bot API delivers one (`Video`: width, height, duration, mime_type,
        file_size); `getFile` refuses it past 20 MB ("file is too big"), as the real server
        does without --local."""
        stored = self._fake._store_file(
            "video", data, ext="mp4",
            meta={"width": width, "height": height, "duration": duration, "mime_type": mime_type},
        )
        content: JSON = {"video": stored.as_object()}
        if caption is not None:
            content["caption"] = caption
        return self._fake._enqueue_user_message(self, content)

    def send_video_note(self, duration: int = 5, data: bytes | None = None) -> int:
        stored = self._fake._store_file(
            "video_note",
            data or b"\x00\x00\x00\x18ftypmp42fake-video-note",
            ext="mp4",
            meta={"length": 240, "duration": duration},
        )
        return self._fake._enqueue_user_message(self, {"video_note": stored.as_object()})

    def send_location(
        self,
        latitude: float,
        longitude: float,
        *,
        live_period: int | None = None,
    ) -> int:
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return self._fake._enqueue_user_message(self, {"location": location})

    def move_live_location(self, message_id: int, latitude: float, longitude: float) -> int:
        """A live-location update: Telegram sends it as ``edited_message``."""
        original = self._fake._user_messages.get((self.id, message_id))
        if original is None or "location" not in original:
            raise LookupError(f"user message #{message_id} is not a location")
        edited = copy.deepcopy(original)
        edited["location"].update(latitude=latitude, longitude=longitude)
        edited["edit_date"] = _now()
        self._fake._user_messages[(self.id, message_id)] = edited
        return self._fake.enqueue({"edited_message": edited})

    def send_venue(self, latitude: float, longitude: float, title: str, address: str) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        venue = {"location": location, "title": title, "address": address}
        # Telegram also fills ``location`` on venue messages (backward compatibility).
        return self._fake._enqueue_user_message(self, {"venue": venue, "location": location})

    def send_contact(
        self,
        phone_number: str,
        *,
        own: bool = True,
        first_name: str | None = None,
    ) -> int:
        contact: JSON = {"phone_number": phone_number, "first_name": first_name or self.first_name}
        if own:
            contact["user_id"] = self.id
            if self.last_name:
                contact["last_name"] = self.last_name
        return self._fake._enqueue_user_message(self, {"contact": contact})

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.first_name!r}>"
