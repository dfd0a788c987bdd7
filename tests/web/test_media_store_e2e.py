"""Photos sent through the web chat are kept in the configured media store — MEDIA_DIR, or an
S3 bucket every worker shares — and come back out only as clean copies, on the map's photo
path, made from what the store holds; while the bucket refuses them, a 503."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.web import signed_media
from bot.web.signed_media import SignedMediaUrls
from storage.media import DERIVED_PREFIXES, StoredMedia
from storage.repositories import practices
from tests.support.images import assert_clean_photo, jpeg_bytes, phone_photo
from tests.support.s3 import both_media_stores, bucket_refusing_photos
from tests.web.chat_client import WebChatClient
from tests.web.factories import add_practice
from tests.web.test_webchat import walk_practice


async def _submit_practice(chat: WebChatClient) -> str:
    await chat.start()
    await chat.press("📝 Gửi mô hình")
    await walk_practice(chat)
    await chat.press("✅ Gửi")
    return chat.last.text.split("Mã tiếp nhận: ")[1].split()[0]


@both_media_stores
async def test_web_chat_photos_are_kept_in_the_store_and_served_clean(
        client, db, settings, request):
    chat = WebChatClient(client)
    code = await _submit_practice(chat)
    async with db.session() as session:
        stored = await practices.get_by_code(session, code)
        photos = await practices.photos_of(session, stored.id)
    assert len(photos) == 3
    kept = sorted(photo.path for photo in photos)

    local = sorted(path.relative_to(settings.media.dir).as_posix()
                   for path in settings.media.dir.rglob("*") if path.is_file())
    local_originals = [key for key in local if not key.startswith(DERIVED_PREFIXES)]
    if settings.media.store:  # in the bucket, seen with a client of our own
        bucket = request.getfixturevalue("s3_bucket")
        assert bucket.keys() == [f"media/{key}" for key in kept]
        assert local_originals == []  # this machine keeps only working copies
    else:
        assert local_originals == kept

    public = await add_practice(db, photo_files=tuple(
        StoredMedia(p.sha256, p.path, p.mime_type, p.size_bytes) for p in photos))
    detail = await (await client.get(f"/api/practices/{public.code}")).json()
    for photo in detail["photos"]:
        for url in (photo["thumb_url"], photo["large_url"]):
            response = await client.get(url)
            assert response.status == 200 and response.content_type == "image/jpeg"
            body = await response.read()
            assert_clean_photo(body, shown_tall=False)
            assert max(Image.open(io.BytesIO(body)).size) <= 1280


@both_media_stores
async def test_a_phone_photo_keeps_its_metadata_only_in_the_store(client, db, services):
    original = phone_photo()
    stored = services.media.save_image(original)
    assert services.media.objects.get(stored.path) == original  # evidence, as sent
    public = await add_practice(db, photo_files=(stored,))
    detail = await (await client.get(f"/api/practices/{public.code}")).json()
    response = await client.get(detail["photos"][0]["large_url"])
    assert_clean_photo(await response.read())


@pytest.mark.parametrize("media_settings", ["s3"], indirect=True)
async def test_a_photo_the_bucket_refuses_is_a_503_on_the_map_and_on_a_signed_link(
        client, db, services, settings, media_bucket, clock, caplog):
    """The public map's photo URL, and the signed link Zalo Bot fetches, while S3 refuses to
    give the photo: 503 with Retry-After and nothing kept by caches, no traceback in the body,
    one WARNING naming the object key; once S3 gives it again, the clean copy is served."""
    caplog.set_level(logging.INFO)
    stored = services.media.save_image(jpeg_bytes((900, 700)))
    public = await add_practice(db, photo_files=(stored,))
    detail = await (await client.get(f"/api/practices/{public.code}")).json()
    on_the_map = detail["photos"][0]["large_url"]
    links = SignedMediaUrls.from_secret("token", clock=clock, ttl=timedelta(hours=1))
    zalo_side = web.Application()
    signed_media.register(zalo_side, links, services.media)
    async with TestClient(TestServer(zalo_side, host="127.0.0.1")) as signed:
        links.base_url = str(signed.make_url("/"))
        link = links.url_for(stored.path)
        with bucket_refusing_photos(media_bucket, settings.media.dir) as keys:
            for response in (await client.get(on_the_map), await signed.session.get(link)):
                assert response.status == 503
                assert response.headers["Retry-After"] == "60"
                assert response.headers["Cache-Control"] == "no-store"
                assert "Traceback" not in await response.text()
        refused = [r for r in caplog.records
                   if r.getMessage() == "media store refused a file on its way out"]
        assert len(refused) == 2 and {r.key for r in refused} == {stored.path} == set(keys)
        assert all(r.levelno == logging.WARNING and "InvalidObjectState" in r.reason
                   for r in refused)
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []

        for response in (await client.get(on_the_map), await signed.session.get(link)):
            assert response.status == 200
            assert_clean_photo(await response.read(), shown_tall=False)
