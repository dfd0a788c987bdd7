"""One way for a test to talk in a chat, whatever the channel, and one `walk` over steps.

Each channel's harness drives its own fake platform (tests/fakes/) and its own real adapter;
each harness wraps its driver in this one protocol (`TelegramChat` in
tests/support/telegram_harness.py, `ZaloBotChat`, `ZaloOAChat` in their harnesses, `WebChat` in
tests/web/chat_client.py), so a conversation written once (a list of `Step`s,
tests/support/practice_walk.py) runs on every channel. What a channel cannot do degrades as a
person would: Zalo Bot has no buttons (a typed number picks), no location button (a Google Maps
link) and no contact button (the number is typed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tests.support.practice_walk import Step


class ChatDriver(Protocol):
    async def open_menu(self) -> None:
        """Say hello as a newcomer would; the bot answers with its menu."""

    async def press(self, label: str) -> None: ...
    async def text(self, text: str) -> None: ...
    async def command(self, name: str, args: str = "") -> None:
        """A command with its arguments, as the channel's users send one (``/tracuu PA-…``)."""
    async def location(self, latitude: float, longitude: float) -> None: ...
    async def photos(self, count: int) -> None: ...
    async def contact(self, phone: str) -> None: ...
    async def voice(self, data: bytes, seconds: int) -> None:
        """Send a voice note (`seconds` long, as the app tells where it does)."""
    async def video(self, data: bytes, seconds: int) -> None:
        """Send a short video (Zalo Bot passes none on: the bot gets an unsupported message)."""

    @property
    def last_text(self) -> str:
        """The text of the latest message the person received."""

    async def notices(self) -> list[str]:
        """What the bot sent the person on its own (an official's answer, a status change)
        since the last action: the outbox is drained first."""


async def walk(driver: ChatDriver, steps: Iterable[Step]) -> None:
    """Take each step: press a button by label, type text, share a location, send photos,
    share a phone number."""
    for step in steps:
        if step.kind == "press":
            await driver.press(str(step.value))
        elif step.kind == "text":
            await driver.text(str(step.value))
        elif step.kind == "location":
            latitude, longitude = step.value  # type: ignore[misc]
            await driver.location(latitude, longitude)
        elif step.kind == "photos":
            await driver.photos(int(step.value))  # type: ignore[call-overload]
        elif step.kind == "contact":
            await driver.contact(str(step.value))
        else:
            raise AssertionError(f"unknown step {step}")
