"""For the press and for sharing (issue 17, item 5): the Atom feed read by feedparser, link
previews (OpenGraph tags and a 1200×630 card image) read by Chromium as a crawler would, and
high-quality photos of recognised practices without their metadata."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import feedparser
from PIL import Image

from tests.support.images import assert_clean_photo, phone_photo
from tests.web.conftest import needs_chromium
from tests.web.factories import SECRET_ANSWER, SECRET_SUBMITTER, add_practice

COMMUNE = "Cấp cơ sở (xã, phường, đặc khu)"


async def test_the_feed_lists_recognitions_newest_first_per_country_and_province(
        client, db, services, settings) -> None:
    saigon = services.units.communes("79")[0].code
    older = await add_practice(db, media=services.media, photos=1, status="recognised",
                               levels=("commune",), title="Đường hoa Hoàn Kiếm",
                               created_at=datetime(2026, 3, 1, tzinfo=UTC))
    newer = await add_practice(db, status="recognised", levels=("commune",), province="79",
                               commune=saigon, title="Camera an ninh Sài Gòn",
                               created_at=datetime(2026, 5, 1, tzinfo=UTC))
    person = await add_practice(db, status="recognised", levels=("commune",),
                                kind="individual", submitter_name="Nguyễn Văn Riêng Tư",
                                village="", title="Gương người tốt",
                                created_at=datetime(2026, 4, 1, tzinfo=UTC))
    await add_practice(db, status="approved", title="Chưa được công nhận")

    response = await client.get("/feed.atom")
    assert response.status == 200
    assert response.content_type == "application/atom+xml"
    body = await response.text()
    feed = feedparser.parse(body)

    assert feed.bozo == 0 and feed.version == "atom10"
    assert feed.feed.title == "Mô hình “Dân vận khéo” mới được công nhận"
    assert [e.title for e in feed.entries] == [
        f"Camera an ninh Sài Gòn — {COMMUNE}", f"Gương người tốt — {COMMUNE}",
        f"Đường hoa Hoàn Kiếm — {COMMUNE}"]
    first = feed.entries[2]
    assert first.link.endswith(f"/practices/{older.code}")
    assert "Phường Hoàn Kiếm" in first.summary
    assert [link.type for link in first.links if link.rel == "enclosure"] == ["image/jpeg"]
    assert feed.entries[0].updated_parsed[:3] == (2026, 5, 31)  # recognised 30 days after
    for secret in (SECRET_SUBMITTER, SECRET_ANSWER, "Nguyễn Văn Riêng Tư"):
        assert secret not in body
    assert person.code and newer.code

    hanoi = feedparser.parse(await (await client.get("/feed/01.atom")).text())
    assert "Thành phố Hà Nội" in hanoi.feed.title
    assert {e.title for e in hanoi.entries} == {f"Đường hoa Hoàn Kiếm — {COMMUNE}",
                                                f"Gương người tốt — {COMMUNE}"}
    english = feedparser.parse(await (await client.get("/feed.atom?lang=en")).text())
    assert english.entries[0].title == "Camera an ninh Sài Gòn — Commune level"
    assert (await client.get("/feed/99.atom")).status == 404


async def test_only_recognised_practices_offer_photos_in_high_quality_without_metadata(
        client, db, services) -> None:
    stored = services.media.save_image(phone_photo((3000, 2000)))
    recognised = await add_practice(db, photo_files=(stored,), status="recognised",
                                    levels=("province",))
    approved = await add_practice(db, media=services.media, photos=1)
    page = await (await client.get(f"/practices/{recognised.code}")).text()
    assert "Tải ảnh chất lượng cao" in page
    detail = await (await client.get(f"/api/practices/{recognised.code}")).json()
    hq_url = detail["photos"][0]["large_url"].replace("large", "hq")
    assert hq_url in page

    response = await client.get(hq_url)

    assert response.status == 200
    data = await response.read()
    assert_clean_photo(data)  # upright, no GPS, maker, model, ICC, XMP or comment
    assert Image.open(io.BytesIO(data)).size == (1365, 2048)  # the largest clean copy
    plain = await (await client.get(f"/api/practices/{approved.code}")).json()
    assert (await client.get(plain["photos"][0]["large_url"].replace("large", "hq"))).status \
        == 404
    assert "Tải ảnh chất lượng cao" not in await (
        await client.get(f"/practices/{approved.code}")).text()


@needs_chromium
async def test_a_shared_practice_link_previews_with_its_title_summary_and_card_image(
        browser, client, db, services) -> None:
    practice = await add_practice(db, media=services.media, photos=1, status="recognised",
                                  levels=("commune",), title="Ngày Chủ nhật xanh",
                                  description="Mỗi Chủ nhật, cả thôn cùng dọn vệ sinh. " * 20)
    page = await browser.new_page()
    try:
        await page.goto(str(client.make_url(f"/practices/{practice.code}")))
        tags = await page.evaluate("""() => Object.fromEntries(
            [...document.querySelectorAll('meta[property^="og:"], meta[name^="twitter:"]')]
              .map(m => [m.getAttribute('property') || m.getAttribute('name'), m.content]))""")
        share = await page.locator("#share").text_content()
    finally:
        await page.close()

    assert tags["og:title"] == tags["twitter:title"] == "Ngày Chủ nhật xanh"
    assert tags["og:description"].startswith("Mỗi Chủ nhật, cả thôn cùng dọn vệ sinh.")
    assert len(tags["og:description"]) <= 200
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:url"].endswith(f"/practices/{practice.code}")
    assert "Chia sẻ" in (share or "")
    image_url = tags["og:image"]
    assert image_url == tags["twitter:image"] and image_url.startswith("http")
    response = await client.get(image_url[image_url.index("/practices/"):])
    assert response.status == 200 and response.content_type == "image/png"
    card = Image.open(io.BytesIO(await response.read()))
    assert card.size == (1200, 630)
    assert (int(tags["og:image:width"]), int(tags["og:image:height"])) == card.size


async def test_the_embeddable_map_may_be_framed_and_credits_the_full_map(client) -> None:
    embed = await client.get("/embed", params={"province": "79"})
    html = await embed.text()
    assert embed.status == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert 'class="page-map embedded"' in html and 'class="topbar"' not in html
    assert '<option value="79" selected>' in html
    assert '/?province=79"' in html and "Bản đồ số “Dân vận khéo”" in html
    full = await client.get("/")
    assert "frame-ancestors 'none'" in full.headers["Content-Security-Policy"]
    unknown = await (await client.get("/embed", params={"province": "xx"})).text()
    assert " selected>" not in unknown.split('name="province"')[1].split("</select>")[0]


@needs_chromium
async def test_a_newspaper_page_frames_the_map_of_one_province(browser, client, db,
                                                               services) -> None:
    saigon = services.units.communes("79")[0].code
    for index in range(3):
        await add_practice(db, lat=10.77 + index * 0.01, lon=106.69, commune=saigon,
                           province="79", title=f"Camera {index}")
    await add_practice(db, title="Hà Nội")
    page = await browser.new_page()
    try:
        await page.goto(str(client.make_url("/embed?province=79")))
        # The map settles on the province (fitting it moves the map, which asks again): wait
        # for an answer of 3 practices; Hà Nội's would make it 4.
        # Read the count and the centre in the same instant as the answer: a last moveend
        # may start another request that empties the status while it loads.
        settled = await page.wait_for_function(
            "() => { const s = document.getElementById('status');"
            " return s.dataset.state === 'ready' && s.dataset.total === '3'"
            " && {total: s.dataset.total, centre: window.dvkMap.getCenter()}; }",
            timeout=15_000)
        seen = await settled.json_value()
        total, centre = seen["total"], seen["centre"]
        panel_visible = await page.locator(".panel").is_visible()
    finally:
        await page.close()
    assert total == "3"  # Hồ Chí Minh's practices, not Hà Nội's
    assert 9 < centre["lat"] < 12 and 105 < centre["lng"] < 108
    assert not panel_visible
