"""The digital map in headless Chromium, with the network cut off: every asset comes from our
server, clusters appear, filters narrow the markers, a popup shows a photo, English works."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.web.conftest import needs_chromium
from tests.web.factories import add_practice
from tests.web.offline import refuse_other_hosts

pytestmark = needs_chromium


@pytest.fixture
async def practices(db, services):
    """Two dense groups (Hà Nội, Hồ Chí Minh) and one practice alone in Cà Mau, with photos."""
    saigon = services.units.communes("79")[0].code
    camau = services.units.communes("96")[0].code
    for index in range(18):
        await add_practice(db, lat=21.0 + index * 0.004, lon=105.8 + index * 0.003,
                           field="economy" if index % 3 else "culture_society",
                           title=f"Đường hoa số {index}")
    for index in range(9):
        await add_practice(db, lat=10.77 + index * 0.004, lon=106.69, commune=saigon,
                           province="79", field="defence_security", title=f"Camera {index}")
    alone = await add_practice(db, media=services.media, photos=2, lat=9.18, lon=105.15,
                               commune=camau, province="96", status="recognised",
                               levels=("commune", "province"), field="party_building",
                               title="Ngày thứ Bảy cùng dân")
    await add_practice(db, status="submitted", title="Chưa duyệt")
    return {"total": 28, "culture": 6, "alone": alone}


@pytest.fixture
async def offline_page(browser, client, practices):
    """A page whose requests to any other host are refused and recorded."""
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    refused = await refuse_other_hosts(context)
    errors: list[str] = []
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.refused = refused
    page.base = str(client.make_url("/"))
    yield page
    await context.close()
    assert errors == []


async def ready(page, total: int | None = None) -> int:  # noqa: ANN001
    """Wait until the map drew an answer (with `total` practices, if given); returns the total."""
    # The total is read in the same instant as the state: a later moveend may start another
    # request that empties the status while it loads.
    drawn = await page.wait_for_function(
        """(total) => {
            const s = document.getElementById('status');
            return (s.dataset.state === 'ready' || s.dataset.state === 'clustered') &&
                   (total === null || s.dataset.total === String(total)) && s.dataset.total;
        }""", arg=total, timeout=15_000)
    return int(await drawn.json_value())


async def test_the_map_loads_offline_and_clusters_appear(offline_page, practices, tmp_path):
    page = offline_page
    await page.goto(page.base)
    assert await ready(page) == practices["total"]
    await page.wait_for_selector(".marker-cluster")
    assert await page.locator(".marker-cluster").count() >= 2  # Hà Nội and Sài Gòn groups
    assert "28 mô hình" in await page.inner_text("#status")
    assert await page.locator(".dvk-pin").count() >= 1  # the practice alone in Cà Mau
    await page.wait_for_selector(".dvk-province-label")  # tiles failed: names keep it readable
    names = await page.locator(".dvk-province-label").all_inner_texts()
    assert "Hà Nội" in names and "Hồ Chí Minh" in names and len(names) >= 10
    tile_host = "tile.openstreetmap.org"
    assert page.refused and all(urlparse(url).hostname == tile_host for url in page.refused)
    await page.screenshot(path=str(tmp_path / "map.png"))

    await page.locator(".marker-cluster").first.click()  # a cluster opens up when clicked
    await page.wait_for_function("() => window.dvkMap.getZoom() > 6")


async def test_a_filter_narrows_the_markers(offline_page, practices):
    page = offline_page
    await page.goto(page.base)
    await ready(page, practices["total"])
    await page.select_option("select[name=field]", "culture_society")
    assert await ready(page, practices["culture"]) == practices["culture"]
    await page.select_option("select[name=field]", "")
    await page.select_option("select[name=level]", "province")
    await ready(page, 1)
    await page.fill("input[name=q]", "camera")
    await ready(page, 0)
    assert "Không có mô hình nào" in await page.inner_text("#status")
    await page.click("button[type=reset]")
    await ready(page, practices["total"])
    await page.select_option("select[name=province]", "79")
    await page.wait_for_function(
        "() => document.querySelector('select[name=commune]').options.length > 100")
    assert await ready(page, 9) == 9  # the map moved to the province


async def test_a_popup_opens_with_the_practice_and_its_photo(offline_page, practices):
    page = offline_page
    alone = practices["alone"]
    await page.goto(page.base)
    await ready(page)
    await page.locator(f".dvk-pin[title='{alone.title}']").click()
    card = page.locator(".leaflet-popup .practice-card")
    await card.locator("img").first.wait_for()
    await page.wait_for_function(
        "() => [...document.querySelectorAll('.leaflet-popup img')]"
        ".every(i => i.naturalWidth > 0)")
    text = await card.inner_text()
    assert alone.title in text and "Cấp tỉnh" in text and "Rõ người" in text
    assert await card.locator("img").count() == 2
    assert f"practice={alone.code}" in page.url  # the address bar is a permalink now

    permalink = page.url
    await page.goto(permalink)
    await page.locator(".leaflet-popup .practice-card h2").wait_for()
    assert alone.title in await page.inner_text(".leaflet-popup .practice-card h2")


async def test_the_english_switch_translates_the_map_and_its_popups(offline_page, practices):
    page = offline_page
    await page.goto(page.base)
    await ready(page)
    await page.click("#lang-switch")
    await page.wait_for_selector("html[lang='en']")
    await ready(page)
    assert "Digital map of" in await page.inner_text("h1")
    assert "28 practices in view" in await page.inner_text("#status")
    labels = await page.locator("select[name=field] option").all_inner_texts()
    assert "Culture, society, people" in labels
    await page.locator(f".dvk-pin[title='{practices['alone'].title}']").click()
    await page.locator(".leaflet-popup .practice-card").wait_for()
    await page.wait_for_function(
        "() => document.querySelector('.leaflet-popup').innerText.includes('Clear: who')")
    assert "Province level" in await page.inner_text(".leaflet-popup")
    await page.goto(page.base)  # the choice is remembered
    assert await page.get_attribute("html", "lang") == "en"


async def test_a_commune_found_by_its_pre_2025_name_filters_the_map(offline_page, practices, db):
    await add_practice(db, lat=10.776, lon=106.701, commune="26740", province="79",
                       title="Phố đi bộ văn minh")  # Phường Sài Gòn, formerly Bến Nghé
    page = offline_page
    await page.goto(page.base)
    await ready(page, practices["total"] + 1)
    await page.fill("#place", "ben nghe")
    option = page.locator("#place-options option").first
    await option.wait_for(state="attached")
    label = await option.get_attribute("value")
    assert label == ("Phường Sài Gòn, Thành phố Hồ Chí Minh (trước đây: Phường Bến Nghé, Quận 1)")
    await page.fill("#place", label)  # what picking it from the list does
    await page.wait_for_function(
        "() => document.querySelector('select[name=commune]').value === '26740'")
    assert await page.input_value("select[name=province]") == "79"
    assert await ready(page, 1) == 1
