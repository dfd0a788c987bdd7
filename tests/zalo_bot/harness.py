"""Run the whole product against the fake Zalo Bot API (and, when asked, the fake Telegram Bot
API) and talk to it as a Zalo user would: typed text, numbers for choices, pasted links, photos.

A `ZaloDriver` sends one user action, waits until the bot has handled it (on the adapter's
processed-update signal, never by sleeping), and returns what the bot showed the user.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from bot.app import App
from handlers.clock import Clock
from handlers.registry import build_features
from settings import Settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot, FakeZaloUser, ZaloMessage
from tests.support.bursts import settle
from tests.support.chat_driver import walk
from tests.support.consent import AGREE, is_privacy_notice
from tests.support.factories import make_invite
from tests.support.officials import DUPLICATE_OFFER, feedback_walk

WEBHOOK_URL = "https://dvk.example.org/zalo/webhook"
WEBHOOK_SECRET = "zalo-webhook-secret-1234"
NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)
SHORTCUTS = re.compile(r"^👉 (?:Hoặc gõ|Or type): (.+)$", re.MULTILINE)


def zalo_settings(settings: Settings, zalo: FakeZaloBot, *, webhook: bool = False,
                  telegram: FakeTelegram | None = None, **extra: object) -> Settings:
    update: dict[str, object] = {
        "zalo_bot_token": SecretStr(zalo.token),
        "zalo_bot_api_base_url": zalo.base_url,
        "zalo_poll_timeout_seconds": 1,
        "zalo_rate_per_second": 0,
        "photo_burst_seconds": 0,
        "web_port": 0,
        "telegram_per_chat_rate": 1000,
        "telegram_global_rate": 1000,
    }
    if webhook:
        update |= {"zalo_webhook_url": WEBHOOK_URL,
                   "zalo_webhook_secret": SecretStr(WEBHOOK_SECRET)}
    if telegram is not None:
        update |= {"telegram_bot_token": SecretStr(telegram.token),
                   "telegram_api_base_url": telegram.base_url,
                   "telegram_file_base_url": telegram.file_base_url,
                   "telegram_poll_timeout_seconds": 1}
    return settings.updated(**(update | extra))


@asynccontextmanager
async def running_app(settings: Settings, clock: Clock, zalo: FakeZaloBot, *,
                      webhook: bool = False, telegram: FakeTelegram | None = None,
                      **extra: object) -> AsyncIterator[App]:
    app = App(zalo_settings(settings, zalo, webhook=webhook, telegram=telegram, **extra),
              clock=clock)
    await app.start()
    if webhook:
        zalo.webhook_target = f"{app.web.url}zalo/webhook"
    try:
        yield app
    finally:
        await app.stop()


def numbered_options(message: ZaloMessage) -> dict[str, str]:
    """{number: label} of the numbered lines in a message."""
    return {number: label for number, label in NUMBERED.findall(message.text or "")}


@dataclass
class ZaloDriver:
    app: App
    fake: FakeZaloBot
    user: FakeZaloUser
    auto_consent: bool = True
    """Agree to the privacy notice whenever it is shown (tests/support/consent.py)."""
    acted: int = 0
    """How many messages the person had once their last action was answered: whatever comes
    after was sent by the bot on its own (`notices`)."""

    @property
    def last(self) -> ZaloMessage:
        return self.user.last

    async def _after(self, *message_ids: str) -> list[ZaloMessage]:
        before = len(self.user.inbox)
        for message_id in message_ids:
            await self.app.zalo.wait_processed(message_id)
        await settle(self.app)
        shown = self.user.inbox[before:]
        texts = [m.text for m in shown if m.text]
        if self.auto_consent and texts and is_privacy_notice(texts[-1]):
            return shown + await self.pick(AGREE)
        self.acted = len(self.user.inbox)
        return shown

    async def notices(self) -> list[ZaloMessage]:
        """What the bot sent on its own since the last action was answered (outbox drained)."""
        await self.app.outbox.drain()
        sent, self.acted = self.user.inbox[self.acted:], len(self.user.inbox)
        return sent

    async def text(self, text: str) -> list[ZaloMessage]:
        return await self._after(self.user.send_text(text))

    async def command(self, name: str, args: str = "") -> list[ZaloMessage]:
        return await self.text(f"/{name} {args}".strip())

    async def link(self, url: str) -> list[ZaloMessage]:
        return await self._after(self.user.send_link(url))

    async def photo(self, *, key: str = "photo_url", data: bytes | None = None
                    ) -> list[ZaloMessage]:
        return await self._after(self.user.send_image(data, key=key))

    async def sticker(self) -> list[ZaloMessage]:
        return await self._after(self.user.send_sticker())

    async def voice(self, data: bytes | None = None) -> list[ZaloMessage]:
        return await self._after(self.user.send_voice(data))

    async def unsupported(self) -> list[ZaloMessage]:
        return await self._after(self.user.send_unsupported())

    async def pick(self, label: str) -> list[ZaloMessage]:
        """Choose an option as a Zalo user does: type the number of its line or, for a shortcut
        beside a typed answer ("👉 Hoặc gõ: Bỏ qua"), type the word."""
        message = next(m for m in reversed(self.user.inbox) if m.text)
        options = numbered_options(message).items()
        numbers = ([n for n, text in options if text == label]
                   or [n for n, text in options if text.endswith(label)]
                   or [n for n, text in options if label in text])
        if numbers:
            assert len(numbers) == 1, f"{label!r} is ambiguous in {message.text!r}"
            return await self.text(numbers[0])
        shortcuts = SHORTCUTS.search(message.text or "")
        assert shortcuts, f"no option {label!r} in {message.text!r}"
        words = [w for w in shortcuts.group(1).split(" · ") if label.endswith(w) or w in label]
        assert len(words) == 1, f"no single shortcut {label!r} in {shortcuts.group(1)!r}"
        return await self.text(words[0])


def maps_link(lat: float, lon: float) -> str:
    return f"https://www.google.com/maps/place/Th%C3%B4n+%C4%90%C3%B4ng/@{lat},{lon},17z"



needs_feedback = pytest.mark.skipif(
    "feedback" not in build_features().flows,
    reason="the feedback flow (issue 3) is not registered in handlers/registry.py yet")


async def zalo_become_official(driver: ZaloDriver, db, clock, *, unit: str) -> None:  # noqa: ANN001
    """Zalo has no deep-link payload: the invite code is typed."""
    token = await make_invite(db, clock, unit=unit)
    await driver.command("moi", token)
    assert "Chào mừng" in driver.last.text, driver.last.text


async def zalo_send_feedback(driver: ZaloDriver, **choices: object) -> str:
    await driver.command("phananh")
    await walk(ZaloBotChat(driver), feedback_walk(**choices))
    await driver.pick("Gửi")
    if DUPLICATE_OFFER in (driver.last.text or ""):  # similar open feedback: send anyway
        await driver.pick("Không, gửi phản ánh mới")
    found = re.search(r"PA-\d{4}-\d{6}", driver.last.text)
    assert found, driver.last.text
    return found.group(0)


class ZaloBotChat:
    def __init__(self, driver: ZaloDriver) -> None:
        self.driver = driver

    async def open_menu(self) -> None:
        await self.driver.text("xin chào")

    async def press(self, label: str) -> None:
        await self.driver.pick(label)

    async def text(self, text: str) -> None:
        await self.driver.text(text)

    async def command(self, name: str, args: str = "") -> None:
        await self.driver.command(name, args)

    async def location(self, latitude: float, longitude: float) -> None:
        await self.driver.text(maps_link(latitude, longitude))  # no location button: a link

    async def photos(self, count: int) -> None:
        for index in range(count):
            replies = await self.driver.photo(key=("photo_url", "photo")[index % 2])
            assert "Đã nhận ảnh" in replies[-1].text, replies

    async def contact(self, phone: str) -> None:
        await self.driver.text(phone)  # no contact button: the number is typed

    async def notices(self) -> list[str]:
        return [m.text for m in await self.driver.notices() if m.text]

    async def voice(self, data: bytes, seconds: int) -> None:
        await self.driver.voice(data)  # Zalo says nothing of the length

    async def video(self, data: bytes, seconds: int) -> None:
        await self.driver.unsupported()  # Zalo Bot passes no video on (ZALO-NOTES §1.5)

    @property
    def last_text(self) -> str:
        return self.driver.last.text or ""
