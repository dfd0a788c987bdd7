"""Test doubles for external services (Telegram Bot API, ...).

They are real HTTP servers on 127.0.0.1 so that the production client libraries
(python-telegram-bot, aiohttp) are exercised unchanged.
"""

from tests.fakes.telegram_api import (
    BotMessage,
    FakeTelegram,
    FakeUser,
    RecordedCall,
    UploadedFile,
    make_jpeg,
)

__all__ = [
    "BotMessage",
    "FakeTelegram",
    "FakeUser",
    "RecordedCall",
    "UploadedFile",
    "make_jpeg",
]
