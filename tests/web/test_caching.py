"""Public answers can be kept by a shared cache and revalidated (issue 17, item 7): each carries
`Cache-Control: public`, an ETag (photos: also Last-Modified), answers 304 to a conditional
request, and holds nothing personal or session-bound. The web chat is never cacheable."""

from __future__ import annotations

import pytest

from tests.web.factories import SECRET_ANSWER, SECRET_SUBMITTER, add_practice

PUBLIC = [
    "/", "/practices/{code}", "/practices/{code}/popup", "/api/practices/{code}",
    "/api/practices.geojson?bbox=102,8,110,24", "/api/provinces", "/api/provinces/01/communes",
    "/feed.atom", "/feed/01.atom", "/practices/{code}/card.png", "/practices/{code}/plaque.pdf",
    "/posters/00070.pdf", "{photo}",
]


@pytest.fixture
async def practice(db, services):
    return await add_practice(db, media=services.media, photos=1, status="recognised",
                              levels=("commune",))


@pytest.mark.parametrize("path", PUBLIC)
async def test_a_public_answer_is_cacheable_and_revalidated_with_a_304(
        client, practice, path: str) -> None:
    detail = await (await client.get(f"/api/practices/{practice.code}")).json()
    url = path.format(code=practice.code, photo=detail["photos"][0]["large_url"])

    first = await client.get(url)
    body = await first.read()

    assert first.status == 200, url
    assert first.headers["Cache-Control"].startswith("public, max-age="), url
    assert "Set-Cookie" not in first.headers, url
    etag = first.headers["ETag"]
    for secret in (SECRET_SUBMITTER.encode(), SECRET_ANSWER.encode()):
        assert secret not in body, url
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status == 304 and await again.read() == b"", url
    assert again.headers["ETag"] == etag
    changed = await client.get(url, headers={"If-None-Match": '"something-else"'})
    assert changed.status == 200 and await changed.read() == body


async def test_photos_also_carry_last_modified(client, practice) -> None:
    detail = await (await client.get(f"/api/practices/{practice.code}")).json()
    first = await client.get(detail["photos"][0]["thumb_url"])
    modified = first.headers["Last-Modified"]
    again = await client.get(detail["photos"][0]["thumb_url"],
                             headers={"If-Modified-Since": modified})
    assert again.status == 304


async def test_the_etag_follows_the_content(client, db) -> None:
    practice = await add_practice(db, status="approved")
    detail, geojson = f"/api/practices/{practice.code}", "/api/practices.geojson?bbox=102,8,110,24"
    before = {url: (await client.get(url)).headers["ETag"] for url in (detail, geojson)}

    await add_practice(db, status="approved")  # a new practice on the map

    assert (await client.get(detail)).headers["ETag"] == before[detail]  # unchanged: still 304
    assert (await client.get(geojson)).headers["ETag"] != before[geojson]


async def test_pages_say_their_language_may_come_from_the_cookie(client, practice) -> None:
    page = await client.get(f"/practices/{practice.code}")
    assert page.headers["Vary"] == "Cookie"


async def test_the_web_chat_is_never_cached(client) -> None:
    page = await client.get("/chat")
    assert "public" not in page.headers.get("Cache-Control", "")
    assert "ETag" not in page.headers
