"""Run the whole product against the fake Bot API and talk to it as a Telegram user would.

`running_app` starts the real `App` (migrations, engine, outbox, python-telegram-bot polling
over HTTP). A `TelegramDriver` sends one user action, waits until the bot has handled it
(no sleeping: it waits on the adapter's processed-update signal), and returns what the bot
showed the user in reply.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import SecretStr

from bot.app import App
from handlers.clock import Clock
from settings import Settings
from tests.fakes.telegram_api import BotMessage, FakeTelegram, FakeUser
from tests.support.bursts import settle
from tests.support.consent import AGREE, is_privacy_notice


@asynccontextmanager
async def running_app(settings: Settings, fake: FakeTelegram, clock: Clock) -> AsyncIterator[App]:
    configured = settings.updated(
        telegram_bot_token=SecretStr(fake.token),
        telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.file_base_url,
        telegram_poll_timeout_seconds=1,
    )
    app = App(configured, clock=clock)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


@dataclass
class TelegramDriver:
    app: App
    fake: FakeTelegram
    user: FakeUser
    auto_consent: bool = True
    """Agree to the privacy notice whenever it is shown (tests/support/consent.py)."""
    acted: int = 0
    """How many messages the person had once their last action was answered: whatever comes
    after was sent by the bot on its own (`notices`)."""

    async def _after(self, *update_ids: int) -> list[BotMessage]:
        before = len(self.user.inbox)
        for update_id in update_ids:
            await self.app.telegram.wait_processed(update_id)
        await settle(self.app)
        shown = self.user.inbox[before:]
        if self.auto_consent and shown and is_privacy_notice(shown[-1].text):
            return shown + await self.press(AGREE)
        self.acted = len(self.user.inbox)
        return shown

    async def notices(self) -> list[BotMessage]:
        """What the bot sent on its own since the last action was answered (outbox drained)."""
        await self.app.outbox.drain()
        sent, self.acted = self.user.inbox[self.acted:], len(self.user.inbox)
        return sent

    @property
    def last(self) -> BotMessage:
        return self.user.last

    async def _caught_up(self) -> None:
        """Notices already due reach the person before they act, as on a phone that was
        online: otherwise one delivered late lands after the answer to the next action, and
        "the last message" is the notice or the answer depending on the machine's load."""
        await self.app.outbox.drain()

    async def text(self, text: str) -> list[BotMessage]:
        await self._caught_up()
        return await self._after(self.user.send_text(text))

    async def command(self, name: str, payload: str | None = None) -> list[BotMessage]:
        await self._caught_up()
        return await self._after(self.user.send_command(name, payload))

    async def press(self, label: str) -> list[BotMessage]:
        """Press an inline button by its text, or a reply-keyboard button by sending its text."""
        last = self.user.last
        if last.keyboard and any(b.get("text") == label for b in last.keyboard):
            return await self.text(label)
        await self._caught_up()
        message, button = self._button(label)
        return await self._after(self.user.press(button, message_id=message.message_id))

    def _button(self, label: str) -> tuple[BotMessage, str]:
        """The newest inline button with this label (a leading emoji may be left out).

        A person scrolls up to the card they were reading: a notice the outbox delivered
        after it (its own "📂 Mở" button) does not hide the card's buttons. Delivery order of
        such notices depends on load, so picking only the newest keyboard made tests flaky."""
        keyboards = [m for m in reversed(self.user.inbox) if m.buttons and not m.deleted]
        assert keyboards, f"no inline buttons in the chat; pressing {label!r}"
        for message in keyboards:
            if label in message.buttons:
                return message, label
            matches = [b for b in message.buttons if b.endswith(label)]
            if matches:
                assert len(matches) == 1, f"no single button {label!r} in {message.buttons}"
                return message, matches[0]
        raise AssertionError(
            f"no button {label!r}; the newest keyboard has {keyboards[0].buttons}")

    async def press_data(self, data: str) -> list[BotMessage]:
        return await self._after(self.user.press_data(data))

    async def photo(self) -> list[BotMessage]:
        return await self._after(self.user.send_photo())

    async def album(self, n: int) -> list[BotMessage]:
        """An album arrives as n updates; the bot answers once, after the album settles."""
        before = len(self.user.inbox)
        await self._after(*self.user.send_album(n))
        await self.fake.wait_for_message(self.user.id, count=1, since=before)
        return self.user.inbox[before:]

    async def location(self, lat: float, lon: float) -> list[BotMessage]:
        return await self._after(self.user.send_location(lat, lon))

    async def sticker(self) -> list[BotMessage]:
        return await self._after(self.user.send_sticker())

    async def voice(self, data: bytes | None = None, duration: int = 3) -> list[BotMessage]:
        return await self._after(self.user.send_voice(duration=duration, data=data))

    async def document(self, data: bytes, mime_type: str, file_name: str) -> list[BotMessage]:
        return await self._after(self.user.send_document(data, mime_type=mime_type,
                                                         file_name=file_name))


class TelegramChat:
    """The `ChatDriver` protocol (tests/support/chat_driver.py) over a Telegram driver."""

    def __init__(self, driver: TelegramDriver, *, albums: bool = True) -> None:
        self.driver = driver
        self.albums = albums
        """False: photos go one message at a time, each with its own answer."""

    async def open_menu(self) -> None:
        await self.driver.command("start")

    async def press(self, label: str) -> None:
        await self.driver.press(label)

    async def text(self, text: str) -> None:
        await self.driver.text(text)

    async def command(self, name: str, args: str = "") -> None:
        await self.driver.command(name, args or None)

    async def location(self, latitude: float, longitude: float) -> None:
        await self.driver.location(latitude, longitude)

    async def photos(self, count: int) -> None:
        """An album: its photos get one answer (or, without albums, one photo after another)."""
        if not self.albums:
            for _ in range(count):
                await self.driver.photo()
            return
        replies = await self.driver.album(count)
        assert len(replies) == 1, [m.text for m in replies]
        assert f"Đã nhận {count} ảnh từ album" in replies[0].text

    async def contact(self, phone: str) -> None:
        await self.driver._after(self.driver.user.send_contact(phone))

    async def notices(self) -> list[str]:
        return [m.text for m in await self.driver.notices() if m.text]

    async def voice(self, data: bytes, seconds: int) -> None:
        await self.driver.voice(data, duration=seconds)

    async def video(self, data: bytes, seconds: int) -> None:
        await self.driver._after(self.driver.user.send_video(data, duration=seconds))

    @property
    def last_text(self) -> str:
        return self.driver.last.text
