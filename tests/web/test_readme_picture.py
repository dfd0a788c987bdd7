"""The picture at the top of the README: the map with demo practices beside the web chat at
the first question of a feedback, both taken by headless Chromium from the real server (tiles
cut off, as offline). Each run checks both pages draw what the picture shows;
UPDATE_SCREENSHOTS=1 writes docs/img/map-and-chat.png again (at most 256 colours, kept small)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from urllib.parse import urlparse

from PIL import Image

from bot.web.demo import load_demo
from tests.web.browser_chat import BrowserChat
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium
PICTURE = Path(__file__).resolve().parents[2] / "docs" / "img" / "map-and-chat.png"
MAP_SIZE = {"width": 900, "height": 600}
CHAT_SIZE = {"width": 380, "height": 600}
MAX_BYTES = 250_000


async def test_the_readme_picture_shows_the_map_and_the_chat(browser, client, settings, clock):
    assert await load_demo(settings, count=150, seed=2026, clock=clock) == 150
    context = await browser.new_context(viewport=MAP_SIZE, locale="vi-VN")

    async def only_local(route) -> None:  # noqa: ANN001
        if urlparse(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            await route.abort("internetdisconnected")

    await context.route("**/*", only_local)
    page = await context.new_page()
    await page.goto(str(client.make_url("/")))
    drawn = await page.wait_for_function(  # the total read with the state, in one instant
        "() => { const s = document.getElementById('status');"
        " return ['ready', 'clustered'].includes(s.dataset.state) && s.dataset.total; }",
        timeout=20_000)
    shown = int(await drawn.json_value())
    assert 100 < shown <= 150  # the approved and recognised ones
    await page.wait_for_selector(".marker-cluster")
    map_png = await page.screenshot()

    chat_page = await context.new_page()
    await chat_page.set_viewport_size(CHAT_SIZE)
    chat = BrowserChat(chat_page)
    await chat.open(str(client.make_url("/chat")))
    reply = await chat.press("📣 Gửi phản ánh")
    assert "Phản ánh của bạn về vấn đề gì?" in reply
    chat_png = await chat_page.screenshot()
    await context.close()

    picture = Image.new("RGB", (MAP_SIZE["width"] + CHAT_SIZE["width"] + 12,
                                MAP_SIZE["height"]), "white")
    picture.paste(Image.open(io.BytesIO(map_png)), (0, 0))
    picture.paste(Image.open(io.BytesIO(chat_png)), (MAP_SIZE["width"] + 12, 0))
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        small = picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(PICTURE, optimize=True)
    committed = Image.open(PICTURE)
    assert committed.format == "PNG" and committed.size == picture.size
    assert PICTURE.stat().st_size <= MAX_BYTES, "keep the README picture small"
