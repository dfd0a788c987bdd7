"""A conversation written down as the person saw it, for docs/transcripts/ and the guides.

`Recorder` is a `ChatDriver` (tests/support/chat_driver.py) around any channel's chat: it does
what it is asked through the channel's real driver and keeps each user action and each message
the bot showed, read from the fake platform's side (what reached the phone), never from our
code. Buttons are written [like this], photos as [ảnh]. The privacy notice is answered as a
person would, by pressing "Đồng ý", and that press is written down too.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tests.support.chat_driver import ChatDriver
from tests.support.consent import AGREE, is_privacy_notice

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPTS = ROOT / "docs" / "transcripts"
UPDATE = "UPDATE_TRANSCRIPTS"
PHOTO = "[ảnh]"


@dataclass(frozen=True)
class Said:
    who: str  # "user" | "bot"
    text: str
    buttons: tuple[str, ...] = ()


class Screen(Protocol):
    """What a channel's fake platform shows the person: how many messages, and those since."""

    def count(self) -> int: ...
    def since(self, index: int) -> list[Said]: ...


def _bot(text: str | None, buttons: list[str] | tuple[str, ...] = (), *,
         photo: bool = False, file: str | None = None) -> Said:
    marks = " ".join(([PHOTO] if photo else []) + ([f"[tệp: {file}]"] if file else []))
    shown = f"{marks} {text}" if marks and text else marks or text or ""
    return Said("bot", shown, tuple(b for b in buttons if b))


class TelegramScreen:
    def __init__(self, user: Any) -> None:
        self.user = user

    def count(self) -> int:
        return len(self.user.inbox)

    def since(self, index: int) -> list[Said]:
        said = []
        for message in self.user.inbox[index:]:
            document = (message.payload.get("document") or {}).get("file_name")
            buttons = message.buttons + [b.get("text", "") for b in message.keyboard]
            said.append(_bot(message.plain_text, buttons, photo=message.kind == "photo",
                             file=document))
        return said


class ZaloBotScreen:
    def __init__(self, user: Any) -> None:
        self.user = user

    def count(self) -> int:
        return len(self.user.inbox)

    def since(self, index: int) -> list[Said]:
        return [_bot(m.text, photo=m.method == "sendPhoto") for m in self.user.inbox[index:]]


class ZaloOAScreen:
    def __init__(self, user: Any) -> None:
        self.user = user

    def count(self) -> int:
        return len(self.user.inbox)

    def since(self, index: int) -> list[Said]:
        said = []
        for m in self.user.inbox[index:]:
            text = m.text
            if m.card is not None:
                text = "[thẻ chia sẻ thông tin Zalo]" + (f" {text}" if text else "")
            said.append(_bot(text, m.titles, photo=m.image is not None, file=m.file_name))
        return said


class WebScreen:
    def __init__(self, client: Any) -> None:
        self.client = client

    def count(self) -> int:
        return len(self.client.transcript)

    def since(self, index: int) -> list[Said]:
        said = []
        for bubble in self.client.transcript[index:]:
            buttons = [b.label for b in bubble.buttons if b.action != "send-picked"]
            said.append(_bot(bubble.text, buttons, photo=bubble.kind == "photo",
                             file="📄" if bubble.kind == "document" else None))
        return said


@dataclass
class Recorder:
    """A `ChatDriver` that writes the conversation down (see the module docstring)."""

    chat: ChatDriver
    screen: Screen
    opening: str
    """How the person opens the chat on this channel, as the transcript says it."""
    one_photo_at_a_time: bool = False
    """Zalo Bot takes photos one message each, and answers each."""
    lines: list[Said] = field(default_factory=list)
    _typed: list[str] = field(default_factory=list)
    _seen: int = 0

    def catch_up(self) -> None:
        """Write down what arrived without an action of the person's (notices)."""
        self.lines += self.screen.since(self._seen)
        self._seen = self.screen.count()

    def hook_typing(self, driver: Any) -> None:
        """Write down what the driver really types (a number for a choice on Zalo Bot, a
        Maps link for a location) instead of what the test asked for."""
        typed = driver.text

        async def text(value: str, *args: Any, **kwargs: Any) -> Any:
            self._typed.append(value)
            return await typed(value, *args, **kwargs)

        driver.text = text

    async def _act(self, shown: str, action: Any) -> None:
        self.catch_up()
        self._typed.clear()
        await action
        self.lines.append(Said("user", self._typed[0] if self._typed else shown))
        self.catch_up()
        bot = [line for line in self.lines if line.who == "bot"]
        if bot and is_privacy_notice(bot[-1].text):
            await self.press(AGREE)

    async def open_menu(self) -> None:
        await self._act(self.opening, self.chat.open_menu())

    async def press(self, label: str) -> None:
        await self._act(f"[{label}]", self.chat.press(label))

    async def text(self, text: str) -> None:
        await self._act(text, self.chat.text(text))

    async def location(self, latitude: float, longitude: float) -> None:
        await self._act(f"[📍 vị trí {latitude}, {longitude}]",
                        self.chat.location(latitude, longitude))

    async def photos(self, count: int) -> None:
        if self.one_photo_at_a_time:
            for _ in range(count):
                await self._act(PHOTO, self.chat.photos(1))
        else:
            await self._act(" ".join([PHOTO] * count), self.chat.photos(count))

    async def contact(self, phone: str) -> None:
        await self._act(f"[📞 {phone}]", self.chat.contact(phone))

    async def act(self, shown: str, action: Any) -> None:
        """Anything else the person does (a command with a secret argument, one photo),
        written down as `shown`."""
        await self._act(shown, action)

    @property
    def last_text(self) -> str:
        return self.chat.last_text


def recorder_for(channel: str, chat: Any) -> Recorder:
    """A recorder around `chat` from tests/support/channels.py's `chat_on(channel, …)`."""
    if channel == "web":
        driver, screen, opening = chat.client, WebScreen(chat.client), "(mở trang /chat)"
    else:
        driver = chat.driver
        screen, opening = {
            "telegram": (TelegramScreen(driver.user), "/start"),
            "zalo_bot": (ZaloBotScreen(driver.user), "xin chào"),
            "zalo_oa": (ZaloOAScreen(driver.user), "(bấm Quan tâm Official Account)"),
        }[channel]
    driver.auto_consent = False
    recorder = Recorder(chat, screen, opening, one_photo_at_a_time=channel == "zalo_bot")
    recorder.hook_typing(driver)
    recorder.catch_up()
    return recorder


def markdown(title: str, intro: str, lines: list[Said]) -> str:
    """The conversation as Markdown: the person's lines in bold, the bot's quoted."""
    out = [f"# {title}", "", intro, ""]
    for line in lines:
        if line.who == "user":
            out += [f"**👤** {line.text}", ""]
            continue
        body = line.text.splitlines() or [""]
        if line.buttons:
            body.append(" ".join(f"[{b}]" for b in line.buttons))
        out += [f"> {row}".rstrip() + ("  " if i < len(body) - 1 and row.strip() else "")
                for i, row in enumerate(body)]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def check_generated(relative: str, text: str) -> None:
    """Fail when the committed file differs from the one the flow just produced; with
    UPDATE_TRANSCRIPTS=1 write it instead."""
    path = ROOT / relative
    if os.environ.get(UPDATE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    if committed != text:
        diff = "".join(difflib.unified_diff(
            committed.splitlines(keepends=True), text.splitlines(keepends=True),
            f"committed {relative}", f"generated {relative}", n=1))
        raise AssertionError(
            f"{relative} no longer matches what the bot says. If the change is meant, "
            f"regenerate and commit it: {UPDATE}=1 .venv/bin/python -m pytest "
            f"tests/test_transcripts.py\n{diff[:6000]}")


def check_transcript(name: str, text: str) -> None:
    check_generated(f"docs/transcripts/{name}", text)


def excerpt(lines: list[Said], *windows: tuple[int, int]) -> list[Said]:
    """Parts of a conversation for a guide: each window is (first user action, how many),
    counted from the end when negative; a gap ("…") between windows."""
    starts = [i for i, line in enumerate(lines) if line.who == "user"]
    picked: list[Said] = []
    for first, count in windows:
        begin = starts[first]
        after = starts.index(begin) + count
        end = starts[after] if after < len(starts) else len(lines)
        if picked:
            picked.append(Said("gap", "…"))
        picked += lines[begin:end]
    return picked


def check_excerpt(slug: str, source: str, lines: list[Said]) -> None:
    """The excerpt a guide page (/huong-dan/<slug>) quotes, kept beside its template."""
    data = {"source": source, "lines": [
        {"who": line.who, "text": line.text, "buttons": list(line.buttons)} for line in lines]}
    check_generated(f"bot/web/guides/{slug}.json",
                    json.dumps(data, ensure_ascii=False, indent=1) + "\n")
