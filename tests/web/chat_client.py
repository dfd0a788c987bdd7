"""Talk to the web chat over HTTP as its page does, and read the bot's HTML replies back.

`WebChatClient` keeps the session cookie (aiohttp's cookie jar), sends actions with fresh ids,
and parses each answer into `Bubble`s: the text a person reads and the buttons they can press.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from aiohttp import ClientSession, FormData
from aiohttp.test_utils import TestClient

from bot.webchat.convert import SESSION_COOKIE
from tests.support.consent import AGREE, is_privacy_notice
from tests.support.images import jpeg_bytes

PAGE_HEADER = {"X-DVK-Chat": "1"}


@dataclass
class Button:
    label: str
    token: str | None
    value: str | None
    action: str | None


@dataclass
class Bubble:
    kind: str  # "bot" | "notice" | "photo" | "document" | "voice"
    text: str = ""
    buttons: list[Button] = field(default_factory=list)
    ask: str | None = None
    pushed: bool = False
    """Sent by the bot on its own (a notice fetched from /chat/notices)."""
    src: str | None = None
    """A photo's image or a document's file (a data: URL), as the page shows it."""
    sources: list[tuple[str, str]] = field(default_factory=list)
    """A voice note's <audio> sources: (data: URL, type)."""

    def button(self, label: str) -> Button:
        for button in self.buttons:
            if label in (button.label, button.value) or button.label.endswith(label):
                return button
        raise AssertionError(f"no button {label!r} in {[b.label for b in self.buttons]}")


_VOID = {"img", "br", "input", "hr", "source", "wbr"}
"""Elements without an end tag: they open nothing to close."""


class _RepliesParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bubbles: list[Bubble] = []
        self._depth = 0  # nesting inside the current bubble
        self._in_text = 0
        self._button: Button | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if self._depth == 0 and "msg" in classes:
            kind = next(k for k in ("notice", "photo", "document", "voice", "bot")
                        if k in classes)
            self.bubbles.append(Bubble(kind, ask=a.get("data-ask"), pushed="pushed" in classes))
            self._depth = 1
            if kind == "notice":
                self._in_text = 1
            return
        if self._depth and tag == "img":
            self.bubbles[-1].src = a.get("src")
        if self._depth and tag == "a" and "download" in a:  # a document's data: URL
            self.bubbles[-1].src = a.get("href")
        if self._depth and tag == "source":
            self.bubbles[-1].sources.append((a.get("src") or "", a.get("type") or ""))
        if self._depth and tag not in _VOID:
            self._depth += 1
            if "text" in classes or tag == "figcaption":  # a photo's caption is its text
                self._in_text = self._depth
            if tag == "button":
                self._button = Button("", a.get("data-token"), a.get("data-value"),
                                      a.get("data-action"))

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag == "button" and self._button is not None:
            self._button.label = self._button.label.strip()
            self.bubbles[-1].buttons.append(self._button)
            self._button = None
        if self._in_text == self._depth:
            self._in_text = 0
        self._depth -= 1
        if self._depth == 0:
            self.bubbles[-1].text = self.bubbles[-1].text.strip()

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.label += data
        elif self._in_text and self._depth:
            self.bubbles[-1].text += data


def parse_replies(html: str) -> list[Bubble]:
    parser = _RepliesParser()
    parser.feed(html)
    return parser.bubbles


_seq = itertools.count(1)


class WebChatClient:
    def __init__(self, client: TestClient | ClientSession, *, lang: str | None = None) -> None:
        self.client = client
        self.lang = lang
        self.transcript: list[Bubble] = []
        self.status = 0
        self.notices_shown = 0
        self.cookie_max_age: str | None = None
        """Max-Age of the session cookie the last answer set (None: it set none)."""
        self.auto_consent = True
        """Agree to the privacy notice whenever it is shown (tests/support/consent.py)."""

    @property
    def last(self) -> Bubble:
        return [b for b in self.transcript if b.kind == "bot"][-1]

    def _path(self, path: str) -> str:
        return f"{path}?lang={self.lang}" if self.lang else path

    async def _receive(self, response) -> list[Bubble]:  # noqa: ANN001
        self.status = response.status
        cookie = response.cookies.get(SESSION_COOKIE)
        self.cookie_max_age = cookie["max-age"] if cookie is not None else None
        body = await response.json()
        bubbles = parse_replies(body["html"])
        self.transcript += bubbles
        return bubbles

    async def action(self, payload: dict, *, action_id: str | None = None) -> list[Bubble]:
        body = {"id": action_id or f"t{next(_seq)}-{uuid.uuid4().hex[:8]}", **payload}
        response = await self.client.post(self._path("/chat/events"), json=body,
                                          headers=PAGE_HEADER)
        bubbles = await self._receive(response)
        bots = [b for b in bubbles if b.kind == "bot"]
        if self.auto_consent and bots and is_privacy_notice(bots[-1].text):
            return bubbles + await self.press(AGREE)
        return bubbles

    async def start(self) -> list[Bubble]:
        return await self.action({"type": "command", "name": "start"})

    async def text(self, text: str) -> list[Bubble]:
        return await self.action({"type": "text", "text": text})

    async def press(self, label: str) -> list[Bubble]:
        button = self.last.button(label)
        return await self.action({"type": "choice", "token": button.token,
                                  "value": button.value})

    async def location(self, lat: float, lon: float) -> list[Bubble]:
        return await self.action({"type": "location", "lat": lat, "lon": lon})

    async def photos(self, count: int = 1, *, files: list[tuple[str, bytes, str]] | None = None
                     ) -> list[Bubble]:
        form = FormData()
        form.add_field("id", f"p{next(_seq)}-{uuid.uuid4().hex[:8]}")
        for name, data, content_type in files or [
                (f"photo{i}.jpg", jpeg_bytes(), "image/jpeg") for i in range(count)]:
            form.add_field("photo", data, filename=name, content_type=content_type)
        response = await self.client.post(self._path("/chat/photos"), data=form,
                                          headers=PAGE_HEADER)
        return await self._receive(response)

    async def voice(self, data: bytes, *, name: str = "ghi-am.m4a",
                    content_type: str = "audio/mp4") -> list[Bubble]:
        form = FormData()
        form.add_field("id", f"v{next(_seq)}-{uuid.uuid4().hex[:8]}")
        form.add_field("voice", data, filename=name, content_type=content_type)
        response = await self.client.post(self._path("/chat/voice"), data=form,
                                          headers=PAGE_HEADER)
        return await self._receive(response)

    async def video(self, data: bytes, *, name: str = "video.mp4",
                    content_type: str = "video/mp4") -> list[Bubble]:
        form = FormData()
        form.add_field("id", f"m{next(_seq)}-{uuid.uuid4().hex[:8]}")
        form.add_field("video", data, filename=name, content_type=content_type)
        response = await self.client.post(self._path("/chat/video"), data=form,
                                          headers=PAGE_HEADER)
        return await self._receive(response)

    async def notices(self) -> list[Bubble]:
        """Ask for what the bot said on its own, acknowledging what is on screen, as the page
        does when it opens and every few seconds while it stays open."""
        response = await self.client.get(
            self._path("/chat/notices") + ("&" if self.lang else "?")
            + f"shown={self.notices_shown}", headers=PAGE_HEADER)
        bubbles = await self._receive(response)
        self.notices_shown = (await response.json())["shown"]
        return bubbles

    async def language(self, lang: str) -> list[Bubble]:
        response = await self.client.post("/chat/language", json={"lang": lang},
                                          headers=PAGE_HEADER)
        self.lang = lang
        return await self._receive(response)


class WebChat:
    def __init__(self, client: WebChatClient,
                 drain: Callable[[], Awaitable[object]] | None = None) -> None:
        self.client = client
        self.drain = drain
        """Runs the outbox (the web chat's own notice sender) when there is no app."""

    async def notices(self) -> list[str]:
        assert self.drain is not None, "a web chat without an outbox to drain"
        await self.drain()
        return [bubble.text for bubble in await self.client.notices()]

    async def open_menu(self) -> None:
        await self.client.start()

    async def press(self, label: str) -> None:
        await self.client.press(label)
        assert self.client.status == 200, self.client.transcript[-1]

    async def text(self, text: str) -> None:
        await self.client.text(text)
        assert self.client.status == 200, self.client.transcript[-1]

    async def command(self, name: str, args: str = "") -> None:
        await self.text(f"/{name} {args}".strip())

    async def location(self, latitude: float, longitude: float) -> None:
        await self.client.location(latitude, longitude)

    async def photos(self, count: int) -> None:
        await self.client.photos(count)
        assert self.client.status == 200, self.client.transcript[-1]

    async def contact(self, phone: str) -> None:
        await self.client.text(phone)

    async def voice(self, data: bytes, seconds: int) -> None:
        await self.client.voice(data)
        assert self.client.status == 200, self.client.transcript[-1]

    async def video(self, data: bytes, seconds: int) -> None:
        await self.client.video(data)
        assert self.client.status == 200, self.client.transcript[-1]

    @property
    def last_text(self) -> str:
        return self.client.last.text
