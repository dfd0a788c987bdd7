"""Drive the web chat page in Chromium as a person would: press buttons, type, share a location,
upload photos; wait for the bot's answer by watching the page (never by sleeping).

`walk_form` answers whatever a form asks without knowing the form: it presses the only sensible
button, or types a plausible answer and moves to the next kind of answer when the bot explains
why one was not accepted. It is how the feedback test stays valid while that flow changes.
"""

from __future__ import annotations

from playwright.async_api import Page

from tests.support.consent import AGREE, is_privacy_notice
from tests.support.images import jpeg_bytes

TIMEOUT_MS = 15_000
TYPED_ANSWERS = ("12 người dân cùng tham gia dọn vệ sinh", "12", "thanh xuan", "0912345678")


class BrowserChat:
    auto_consent = True
    """Agree to the privacy notice whenever it is shown (tests/support/consent.py)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.uploaded = False

    async def open(self, url: str) -> None:
        await self.page.goto(url)
        await self._settled(0)

    async def bot_count(self) -> int:
        return await self.page.locator("#transcript .msg.bot").count()

    async def last_text(self) -> str:
        return await self.page.locator("#transcript .msg.bot").last.locator(".text").inner_text()

    async def _settled(self, before: int) -> None:
        """Wait until every action went out and a new bot message (or notice) came back."""
        await self.page.wait_for_function(
            """(before) => {
                const t = document.getElementById('transcript');
                return t.dataset.pending === '0' &&
                       t.querySelectorAll('.msg.bot, .msg.notice:not(.intro)').length > before;
            }""", arg=before, timeout=TIMEOUT_MS)

    async def _answered(self, action) -> str:  # noqa: ANN001
        before = await self.page.locator(
            "#transcript .msg.bot, #transcript .msg.notice:not(.intro)").count()
        await action()
        await self._settled(before)
        text = await self.last_text()
        if self.auto_consent and is_privacy_notice(text):
            return await self.press(AGREE)
        return text

    async def press(self, label: str) -> str:
        button = self.page.locator("#transcript .msg.bot").last.locator(
            "button.option:not([disabled])", has_text=label).first
        return await self._answered(button.click)

    async def press_value(self, value: str) -> str:
        button = self.page.locator("#transcript .msg.bot").last.locator(
            f"button.option[data-value='{value}']")
        return await self._answered(button.click)

    async def type(self, text: str) -> str:
        async def send() -> None:
            await self.page.fill("#message", text)
            await self.page.press("#message", "Enter")
        return await self._answered(send)

    async def upload_photos(self, count: int) -> str:
        self.uploaded = True
        files = [{"name": f"anh-{i}.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
                 for i in range(count)]
        return await self._answered(lambda: self.page.set_input_files("#photo-input", files))

    async def share_location(self) -> str:
        """The browser's geolocation (the test's context grants it and sets the position)."""
        button = self.page.locator("#transcript .msg.bot").last.locator(
            "button[data-action='geolocate']")
        return await self._answered(button.click)

    async def pick_on_map(self) -> str:
        last = self.page.locator("#transcript .msg.bot").last
        await last.locator("button[data-action='pick']").click()
        await last.locator(".mini-map.leaflet-container").click(position={"x": 150, "y": 60})
        return await self._answered(last.locator("button[data-action='send-picked']").click)

    async def walk_form(self, until: str, max_steps: int = 60) -> str:
        """Answer every question until a message containing `until` (a receipt code prefix)."""
        attempt = 0
        self.uploaded = False
        for _ in range(max_steps):
            text = await self.last_text()
            if until in text:
                return text
            attempt = attempt + 1 if text.startswith("⚠️") else 0
            await self._answer_one(attempt)
        last = await self.last_text()
        raise AssertionError(f"no {until!r} after {max_steps} steps; last: {last}")

    async def _answer_one(self, attempt: int) -> None:
        last = self.page.locator("#transcript .msg.bot").last
        values = await last.locator("button.option[data-value]").evaluate_all(
            "buttons => buttons.map(b => b.dataset.value)")
        free_input = await last.get_attribute("data-free-input") == "1"
        if "__confirm__" in values:
            await self.press_value("__confirm__")
        elif await last.get_attribute("data-ask") == "location":
            await self.share_location()
        elif "__done__" in values and not self.uploaded:  # photos optional: send one anyway
            await self.upload_photos(1)
        elif "__done__" in values:
            await self.press_value("__done__")
        elif values and not free_input:
            await self.press_value(values[0])
        elif attempt < len(TYPED_ANSWERS):
            await self.type(TYPED_ANSWERS[attempt])
        else:
            await self.upload_photos(1)
