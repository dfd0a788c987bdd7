"""The guides printed by Chromium: each fits one A4 page, and the navigation is not printed."""

from __future__ import annotations

import re

import pytest

from bot.web.guides import GUIDES
from tests.web.conftest import needs_chromium

pytestmark = needs_chromium


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
async def test_each_guide_prints_on_one_a4_page_without_navigation(
        browser, client, guide, language):
    page = await browser.new_page()
    await page.goto(str(client.make_url(f"/huong-dan/{guide.slug}?lang={language}")))
    assert await page.locator(".topbar").is_visible()
    await page.emulate_media(media="print")
    assert not await page.locator(".topbar").is_visible()
    assert not await page.locator(".guide-nav").is_visible()
    pdf = await page.pdf(prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))  # page objects, not the /Pages tree
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    assert box and (round(float(box.group(1))), round(float(box.group(2)))) == (595, 842)  # A4
    assert pages == 1, f"{guide.slug} ({language}) prints on {pages} pages"
    await page.close()
