"""Run the whole product against the fake Zalo OA API (and, when asked, the fake Telegram Bot
API) and talk to it as a Zalo user would: buttons tapped, locations and photos shared, the phone
number submitted on Zalo's card.

An `OADriver` makes one user action (a signed webhook POST to our server), waits until the bot
has handled it (on the adapter's processed-event signal, never by sleeping), and returns what
the OA sent the user meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import SecretStr

from bot.app import App
from handlers.clock import Clock
from handlers.options import short_label
from settings import Settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_oa_api import FakeOAUser, FakeZaloOA, OAMessage
from tests.support.bursts import settle
from tests.support.consent import AGREE, is_privacy_notice
from tests.support.images import jpeg_bytes


def oa_settings(settings: Settings, fake: FakeZaloOA, *, refresh_token: str | None = None,
                telegram: FakeTelegram | None = None, **extra: object) -> Settings:
    update: dict[str, object] = {
        "zalo_oa_app_id": fake.app_id,
        "zalo_oa_app_secret": SecretStr(fake.app_secret),
        "zalo_oa_secret_key": SecretStr(fake.secret_key),
        "zalo_oa_api_base_url": fake.base_url,
        "zalo_oa_oauth_base_url": fake.base_url,
        "zalo_oa_button_title_max": fake.title_max,
        "web_port": 0,
        "quiet_hours": "off",
        "telegram_per_chat_rate": 1000,
        "telegram_global_rate": 1000,
    }
    if refresh_token is not None:
        update["zalo_oa_refresh_token"] = SecretStr(refresh_token)
    if telegram is not None:
        update |= {"telegram_bot_token": SecretStr(telegram.token),
                   "telegram_api_base_url": telegram.base_url,
                   "telegram_file_base_url": telegram.file_base_url,
                   "telegram_poll_timeout_seconds": 1}
    return settings.updated(**(update | extra))


@asynccontextmanager
async def running_app(settings: Settings, clock: Clock, fake: FakeZaloOA, *,
                      refresh_token: str | None = None, telegram: FakeTelegram | None = None,
                      **extra: object) -> AsyncIterator[App]:
    """The product with the OA channel on. Pass `refresh_token` (from
    `fake.issue_refresh_token()`) the first time; later starts read the pair from the database."""
    configured = oa_settings(settings, fake, refresh_token=refresh_token, telegram=telegram,
                             **extra)
    app = App(configured, clock=clock)
    await app.start()
    fake.webhook_url = f"{app.web.url.rstrip('/')}{configured.zalo_oa.webhook_path}"
    try:
        yield app
    finally:
        await app.stop()


@dataclass
class OADriver:
    app: App
    fake: FakeZaloOA
    user: FakeOAUser
    auto_consent: bool = True
    """Agree to the privacy notice whenever it is shown (tests/support/consent.py)."""
    acted: int = 0
    """How many messages the person had once their last action was answered: whatever comes
    after was sent by the bot on its own (`notices`)."""

    @property
    def last(self) -> OAMessage:
        return self.user.last

    @property
    def last_text(self) -> str:
        return next(m.text for m in reversed(self.user.inbox) if m.text)

    async def _after(self, action: Awaitable[str]) -> list[OAMessage]:
        before = len(self.user.inbox)
        key = await action
        assert self.user.statuses[-1] == 200, self.user.statuses
        await self.app.zalo_oa.wait_processed(key)
        await settle(self.app)
        shown = self.user.inbox[before:]
        texts = [m.text for m in shown if m.text]
        if self.auto_consent and texts and is_privacy_notice(texts[-1]):
            return shown + await self.press(AGREE)
        self.acted = len(self.user.inbox)
        return shown

    async def notices(self) -> list[OAMessage]:
        """What the bot sent on its own since the last action was answered (outbox drained)."""
        await self.app.outbox.drain()
        sent, self.acted = self.user.inbox[self.acted:], len(self.user.inbox)
        return sent

    async def text(self, text: str) -> list[OAMessage]:
        return await self._after(self.user.send_text(text))

    async def command(self, name: str, args: str = "") -> list[OAMessage]:
        return await self.text(f"/{name} {args}".strip())

    async def press(self, label: str) -> list[OAMessage]:
        """Tap the button for an option (found by label, even when its title was shortened);
        where options came as numbered lines, type the label as a person would."""
        with_buttons = next((m for m in reversed(self.user.inbox) if m.buttons), None)
        if with_buttons is None or with_buttons is not self._last_question():
            return await self.text(label)
        wanted = [short_label(label), label]
        found = [title for title, _ in with_buttons.buttons
                 if _title_fits(title, wanted)]
        assert len(found) == 1, f"no single button for {label!r} in {with_buttons.titles}"
        return await self._after(self.user.tap(found[0]))

    async def photos(self, count: int) -> list[OAMessage]:
        """`count` images in one message (an album when more than one)."""
        return await self._after(self.user.send_image(jpeg_bytes(), count=count)
                                 if count == 1 else self._album(count))

    async def _album(self, count: int) -> str:
        images = [jpeg_bytes() for _ in range(count)]
        attachments = [{"type": "image", "payload": {"url": self.fake.host_file(data)}}
                       for data in images]
        return await self.user._message("user_send_image", {"attachments": attachments})

    async def location(self, latitude: float, longitude: float) -> list[OAMessage]:
        return await self._after(self.user.send_location(latitude, longitude, "Nhà văn hoá"))

    async def voice(self, data: bytes) -> list[OAMessage]:
        return await self._after(self.user.send_audio(data))

    async def submit_info(self, phone: str) -> list[OAMessage]:
        return await self._after(self.user.submit_info(phone))

    async def sticker(self) -> list[OAMessage]:
        return await self._after(self.user.send_sticker())

    async def follow(self) -> list[OAMessage]:
        return await self._after(self.user.follow())

    def _last_question(self) -> OAMessage:
        """The latest message that is not the phone card."""
        return next(m for m in reversed(self.user.inbox) if m.card is None)


def _title_fits(title: str, labels: list[str]) -> bool:
    """A button title stands for a label: equal, or its shortened form ("1. Văn hoá, xã…")."""
    bare = title.split(". ", 1)[1] if title[:1].isdigit() and ". " in title else title
    if bare.endswith("…"):
        return any(label.startswith(bare[:-1].rstrip()) for label in labels)
    return bare in labels



class ZaloOAChat:
    def __init__(self, driver: OADriver) -> None:
        self.driver = driver

    async def open_menu(self) -> None:
        await self.driver.follow()

    async def press(self, label: str) -> None:
        await self.driver.press(label)

    async def text(self, text: str) -> None:
        await self.driver.text(text)

    async def command(self, name: str, args: str = "") -> None:
        await self.driver.command(name, args)

    async def location(self, latitude: float, longitude: float) -> None:
        await self.driver.location(latitude, longitude)

    async def photos(self, count: int) -> None:
        await self.driver.photos(count)

    async def contact(self, phone: str) -> None:
        await self.driver.submit_info(phone)

    async def notices(self) -> list[str]:
        return [m.text for m in await self.driver.notices() if m.text]

    async def voice(self, data: bytes, seconds: int) -> None:
        await self.driver.voice(data)

    async def video(self, data: bytes, seconds: int) -> None:
        await self.driver._after(self.driver.user.send_video(data))

    @property
    def last_text(self) -> str:
        return self.driver.last_text
