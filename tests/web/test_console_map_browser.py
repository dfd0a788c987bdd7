"""The feedback map and a dashboard in headless Chromium at 1366×768, for a province official:
the map draws its markers from /console/map.json with every asset local, the hotspots list the
communes, the dashboard draws its bars. UPDATE_SCREENSHOTS=1 writes the pictures docs/console.md
shows (docs/img/console-map.png, console-dashboard.png)."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from urllib.parse import urlparse

from PIL import Image

from storage.models import Feedback
from storage.units import UnitDirectory
from tests.support.officials import HANOI, store_practice
from tests.web.browser_chat import TIMEOUT_MS
from tests.web.conftest import needs_chromium
from tests.web.console_support import store_feedback
from tests.web.offline import refuse_other_hosts
from tests.web.test_console_browser import LAPTOP, PICTURES, base_of, sign_in_from_the_web_chat

pytestmark = needs_chromium
STATUSES = ("new", "received", "in_progress", "resolved", "new", "forwarded")


async def _spread_feedback(db, clock) -> None:  # noqa: ANN001
    """Feedback over a dozen Hà Nội communes, placed around each commune's centre; those
    answered have their times, those resolved a rating (the dashboard's medians and
    satisfaction); and a few practices."""
    units = UnitDirectory.load()
    communes = [u for u in units.communes(HANOI) if units.centre(u.code)][:12]
    for number in range(60):
        unit = communes[number % len(communes)]
        stored = await store_feedback(
            db, clock, commune=unit.code, days_ago=(number * 2.3) % 80,
            category=("infrastructure", "environment", "public_order")[number % 3],
            status=STATUSES[number % len(STATUSES)], text=f"Phản ánh {number}")
        lat, lon = units.centre(unit.code) or (21.03, 105.85)
        async with db.session() as session:
            row = await session.get(Feedback, stored.id)
            row.latitude = lat + (number % 5) * 0.002
            row.longitude = lon + (number % 7) * 0.002
            if row.status != "new":
                row.first_answered_at = row.created_at + timedelta(hours=2 + number % 30)
            if row.status == "resolved":
                row.resolved_at = row.created_at + timedelta(days=1 + number % 6)
                row.satisfaction = 2 + (number // 6) % 4
            session.add(row)
            await session.commit()
    for number, unit in enumerate(communes[:5]):
        await store_practice(db, clock, commune=unit.code, submitter_id=970 + number,
                             title=f"Mô hình {number + 1}")


async def test_the_feedback_map_and_a_dashboard_at_a_laptops_size(browser, client, db, clock,
                                                                  settings):
    await _spread_feedback(db, clock)
    context = await browser.new_context(locale="vi-VN", viewport=LAPTOP)
    elsewhere = await refuse_other_hosts(context)
    page, errors, _ = await sign_in_from_the_web_chat(context, base_of(client), db, clock,
                                                      unit=HANOI, level="province")
    await page.goto(base_of(client) + "console/map")
    # Fitted to every feedback, the view holds all 60 (asked again for that view).
    await page.wait_for_function(
        "() => document.getElementById('map-total').textContent.includes(' 60 ')",
        timeout=TIMEOUT_MS)
    markers = await page.locator(".fb-cluster, path.leaflet-interactive").count()
    assert markers > 0
    # A cluster's ring is shared among its statuses, in the legend's colours; the legend sits
    # above the map, on the first screen.
    rings = await page.eval_on_selector_all(
        ".fb-cluster span", "spans => spans.map(s => s.style.background)")
    assert rings and all("conic-gradient" in ring for ring in rings), rings
    assert any("rgb(46, 125, 50)" in ring for ring in rings)  # resolved, green
    legend = page.locator("#map-legend")
    box = await legend.bounding_box()
    assert box and box["y"] + box["height"] <= LAPTOP["height"]
    assert await legend.locator(".dot.status-new").count() == 1
    assert "Mới gửi" in await legend.inner_text() and "30 ngày" in await legend.inner_text()
    assert await page.locator("#hotspots tr[data-commune]").count() == 12
    shots = {"map": await page.screenshot()}
    await page.goto(base_of(client) + "console/dashboard?period=12m")
    assert await page.locator("svg.bars rect").count() > 0
    shots["dashboard"] = await page.screenshot()
    await context.close()
    tiles = urlparse((settings.web.map_tile_url or "").replace("{s}", "a")).hostname
    assert [url for url in elsewhere if urlparse(url).hostname != tiles] == []  # tiles only
    assert errors == []
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        for name, png in shots.items():
            picture = Image.open(io.BytesIO(png)).convert("RGB")
            picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                PICTURES / f"console-{name}.png", optimize=True)
    for name in shots:
        committed = Image.open(PICTURES / f"console-{name}.png")
        assert committed.size == (LAPTOP["width"], LAPTOP["height"])
