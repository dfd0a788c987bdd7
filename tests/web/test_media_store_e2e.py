"""Photos sent through the web chat are kept in the configured media store — MEDIA_DIR, or an
S3 bucket every worker shares — and come back out only as clean copies, on the map's photo
path, made from what the store holds."""

from __future__ import annotations

import io

from PIL import Image

from storage.media import DERIVED_PREFIXES, StoredMedia
from storage.repositories import practices
from tests.support.images import assert_clean_photo, phone_photo
from tests.support.s3 import both_media_stores
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

    local = sorted(path.relative_to(settings.media_dir).as_posix()
                   for path in settings.media_dir.rglob("*") if path.is_file())
    local_originals = [key for key in local if not key.startswith(DERIVED_PREFIXES)]
    if settings.media_store:  # in the bucket, seen with a client of our own
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
