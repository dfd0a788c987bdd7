"""A fake Telegram Bot API server for end-to-end tests.

Why an HTTP server and not a mocked ``Bot``: the real python-telegram-bot stack
(request encoding, multipart uploads, error mapping, long polling, file
download) is exercised unchanged, so a test fails for the same reasons the
production bot would fail against api.telegram.org.

Usage::

    async with FakeTelegram(token="123456:TEST") as fake:
        app = fake.application_builder().build()       # or Bot(**fake.bot_kwargs())
        alice = fake.user(1001, first_name="Lan", language_code="vi")
        alice.send_text("hello")
        ...                                            # run the app
        [reply] = await alice.wait_for_message()
        assert "Xin chào" in reply.text
        assert fake.errors == []

Three sides:

* user side (``FakeUser`` / ``enqueue``): synchronous helpers that queue updates
  for ``getUpdates``;
* bot side: ``calls``, ``messages(chat_id)``, ``wait_for_message``,
  ``wait_for_call``, ``delivered``, ``errors``;
* faults: ``fail(...)``, ``FakeTelegram(global_rate=..., per_chat_rate=...)``,
  ``FakeUser.block()``.

Error descriptions follow Telegram's wording where known; where Telegram's exact
string is not known the text is descriptive.  Tests should match on the
important words ("too long", "can't parse entities"), not on full strings.

The package, by concern: `server` (HTTP routes, getUpdates, webhooks, faults, assertions),
`users` (the person's side), `messages` (what the bot shows), `files` (photos, documents,
voice notes, downloads), `html` and `checks` (what Telegram refuses), `records`, `common`.
"""

from tests.fakes.telegram_api.files import make_jpeg
from tests.fakes.telegram_api.html import telegram_html_to_text
from tests.fakes.telegram_api.records import BotMessage, RecordedCall, UploadedFile
from tests.fakes.telegram_api.server import FakeTelegram
from tests.fakes.telegram_api.users import FakeUser

__all__ = ["BotMessage", "FakeTelegram", "FakeUser", "RecordedCall", "UploadedFile",
           "make_jpeg", "telegram_html_to_text"]
