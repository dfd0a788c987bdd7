"""What every part of the fake Bot API shares: Telegram's limits and its errors."""

from __future__ import annotations

import time
from typing import Any

ChatKey = int | str
JSON = dict[str, Any]

# --------------------------------------------------------------------------------------
# Telegram limits (Bot API docs / PTB constants)
# --------------------------------------------------------------------------------------
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MIN_MEDIA_GROUP, MAX_MEDIA_GROUP = 2, 10
MAX_CALLBACK_ANSWER_TEXT = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_FILE_UPLOAD = 50 * 1024 * 1024

# fmt: off
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})

#: Inline button fields of which exactly one must be present.
_BUTTON_ACTIONS = (
    "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "callback_game", "pay", "login_url", "web_app",
    "copy_text",
)

#: Form fields that are plain strings even when they look like JSON ("123", "true", "[x]").
_RAW_STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url",
    "action", "title", "address", "phone_number", "first_name", "last_name", "emoji",
    "description", "short_description", "name", "language_code", "secret_token",
    "ip_address", "file_id", "business_connection_id", "message_effect_id", "query",
    "photo", "document", "video", "audio", "voice", "sticker", "animation", "video_note",
    "thumbnail", "foursquare_id", "foursquare_type", "google_place_id", "google_place_type",
    "vcard", "question", "payload", "currency", "start_parameter",
})
# fmt: on


def _now() -> int:
    return int(time.time())


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


class _ApiError(Exception):
    """Raised inside method implementations; turned into an error response.

    ``simulated`` marks errors that model the outside world (blocked user,
    flood control, injected faults) rather than a mistake in the request, so
    they are not recorded in ``FakeTelegram.errors``.
    """

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        simulated: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.simulated = simulated


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


def _error_body(status: int, description: str, retry_after: int | None = None) -> JSON:
    body: JSON = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body
