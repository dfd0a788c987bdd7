"""What Telegram refuses before it shows anything: text too long or badly formatted, keyboards
of the wrong shape, a reply to a message that is not there."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes.telegram_api.common import (
    _BUTTON_ACTIONS,
    JSON,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    ChatKey,
    _bad,
)
from tests.fakes.telegram_api.html import (
    telegram_html_to_text,
)


class Checks:
    """The server's validation (mixed into FakeTelegram)."""

    def _check_text(self, text: Any, parse_mode: Any, *, caption: bool = False) -> str | None:
        """Return the visible text, or raise 400 like Telegram (captions may be absent)."""
        if text is None or text == "":
            if caption:
                return None
            raise _bad("message text is empty")
        text = str(text)
        mode = self._parse_mode(parse_mode)
        if mode == "html":
            try:
                plain = telegram_html_to_text(
                    text.strip(), strict_ampersand=self.strict_html_ampersand
                )
            except ValueError as exc:
                raise _bad(str(exc)) from None
        else:
            plain = text
        plain = plain.strip()
        if not plain:
            if caption:
                return None
            raise _bad("message text is empty")
        if caption and len(plain) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        if not caption and len(plain) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        return plain

    @staticmethod
    def _parse_mode(parse_mode: Any) -> str | None:
        if parse_mode in (None, ""):
            return None
        mode = str(parse_mode).lower()
        if mode not in ("html", "markdown", "markdownv2"):
            raise _bad(f"unsupported parse_mode {parse_mode!r}")
        return mode

    def _check_markup(self, markup: Any, chat: JSON, *, inline_only: bool = False) -> JSON | None:
        if markup is None:
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise _bad("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._check_inline_keyboard(markup["inline_keyboard"])
        elif inline_only:
            raise _bad("inline keyboard expected")
        elif "keyboard" in markup:
            self._check_reply_keyboard(markup["keyboard"], chat)
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise _bad("can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _rows(rows: Any, what: str) -> list[list[Any]]:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad(f'field "{what}" must be an Array of Arrays')
        return rows

    def _check_inline_keyboard(self, rows: Any) -> None:
        for row in self._rows(rows, "inline_keyboard"):
            for button in row:
                if not isinstance(button, dict):
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "InlineKeyboardButton must be an Object"
                    )
                text = button.get("text")
                if not isinstance(text, str):
                    raise _bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not text.strip():
                    raise _bad("inline keyboard button text must be non-empty")
                if not any(k in button for k in _BUTTON_ACTIONS):
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are "
                        "unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if (
                        not isinstance(data, str)
                        or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"(?i)(https?|tg)://\S+$", str(button["url"])):
                    raise _bad("BUTTON_URL_INVALID")

    def _check_reply_keyboard(self, rows: Any, chat: JSON) -> None:
        for row in self._rows(rows, "keyboard"):
            for button in row:
                text = (
                    button
                    if isinstance(button, str)
                    else (button.get("text") if isinstance(button, dict) else None)
                )
                if not isinstance(text, str) or not text.strip():
                    raise _bad("keyboard button text must be non-empty")
                if isinstance(button, dict) and chat.get("type") != "private":
                    if button.get("request_contact"):
                        raise _bad("phone number can be requested in private chats only")
                    if button.get("request_location"):
                        raise _bad("location can be requested in private chats only")

    def _reply_to(self, params: JSON, key: ChatKey) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            mid, allow = reply.get("message_id"), reply.get("allow_sending_without_reply")
        else:
            mid = params.get("reply_to_message_id")
            allow = params.get("allow_sending_without_reply")
        if mid in (None, ""):
            return None
        target = self._any_message_payload(key, int(mid))
        if target is None and not allow:
            raise _bad("message to be replied not found")
        return target
