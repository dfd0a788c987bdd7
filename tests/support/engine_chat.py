"""Drive the engine directly with neutral events, like a person on a channel without quirks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from handlers.engine import Engine
from handlers.events import (
    ChoiceEvent,
    CommandEvent,
    ContactEvent,
    Event,
    LocationEvent,
    PhotoEvent,
    Sender,
    TextEvent,
    UnsupportedEvent,
    VoiceEvent,
)
from handlers.replies import MenuReply, Reply, RightsGained, TextReply
from storage.media import MediaStore
from tests.support.consent import AGREE, is_privacy_notice
from tests.support.images import jpeg_bytes

_ids = itertools.count(1)


@dataclass
class EngineChat:
    engine: Engine
    media: MediaStore
    sender: Sender
    transcript: list[Reply] = field(default_factory=list)
    menus: list[MenuReply] = field(default_factory=list)
    """Changes to the chat's own command menu: not messages, so kept apart from the rest."""
    rights_gained: int = 0
    """How many turns said the person gained rights (`RightsGained`, not a message either)."""
    auto_consent: bool = True
    """Agree to the privacy notice whenever it is shown (tests/support/consent.py)."""

    @property
    def last(self) -> TextReply:
        texts = [r for r in self.transcript if isinstance(r, TextReply)]
        return texts[-1]

    async def _send(self, event: Event) -> list[Reply]:
        replies = await self.engine.handle(event)
        self.menus += [r for r in replies if isinstance(r, MenuReply)]
        self.rights_gained += any(isinstance(r, RightsGained) for r in replies)
        shown = [r for r in replies if not isinstance(r, MenuReply | RightsGained)]
        self.transcript.extend(shown)
        texts = [r for r in shown if isinstance(r, TextReply)]
        if self.auto_consent and texts and is_privacy_notice(texts[-1].text):
            return shown + await self.press(AGREE)
        return shown

    def _meta(self) -> dict:
        return {"update_id": f"e{next(_ids)}"}

    async def text(self, text: str) -> list[Reply]:
        return await self._send(TextEvent(self.sender, text=text, **self._meta()))

    async def command(self, name: str, args: str = "") -> list[Reply]:
        return await self._send(CommandEvent(self.sender, name=name, args=args, **self._meta()))

    async def press(self, label_or_value: str) -> list[Reply]:
        """Press a button of the latest question, found by its label (or value)."""
        reply = self.last
        for option in reply.options:
            if label_or_value in (option.label, option.value) or option.label.endswith(
                label_or_value
            ):
                return await self._send(ChoiceEvent(self.sender, token=reply.token or "",
                                                    value=option.value, **self._meta()))
        raise AssertionError(f"no option {label_or_value!r} in {reply.options}")

    async def press_raw(self, token: str, value: str) -> list[Reply]:
        return await self._send(ChoiceEvent(self.sender, token=token, value=value,
                                            **self._meta()))

    async def photo(self, album_id: str | None = None, data: bytes | None = None
                    ) -> list[Reply]:
        """A photo as an adapter stores it (`data`: such as a phone writes, metadata and all)."""
        stored = self.media.save_image(data or jpeg_bytes())
        return await self._send(PhotoEvent(self.sender, media=stored, album_id=album_id,
                                           **self._meta()))

    async def voice(self, data: bytes) -> list[Reply]:
        """A voice note, kept clean by the store as an adapter would before the engine."""
        path = self.media.root / f"voice-{next(_ids)}.upload"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        try:
            stored = self.media.save_voice_file(path)
        finally:
            path.unlink()
        return await self._send(VoiceEvent(self.sender, media=stored, **self._meta()))

    async def open_menu(self) -> list[Reply]:
        return await self.command("start")

    async def photos(self, count: int) -> None:
        """One by one: the engine sees each photo as its own event."""
        for _ in range(count):
            await self.photo()

    @property
    def last_text(self) -> str:
        return self.last.text

    async def location(self, lat: float, lon: float) -> list[Reply]:
        return await self._send(LocationEvent(self.sender, latitude=lat, longitude=lon,
                                              **self._meta()))

    async def contact(self, phone: str, own: bool = True) -> list[Reply]:
        return await self._send(ContactEvent(self.sender, phone=phone, is_own=own,
                                             **self._meta()))

    async def unsupported(self, what: str) -> list[Reply]:
        return await self._send(UnsupportedEvent(self.sender, what=what, **self._meta()))
