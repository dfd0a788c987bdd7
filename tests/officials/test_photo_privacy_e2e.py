"""No photo leaves the server with its metadata. A citizen sends an anonymous feedback with a
photo straight from a phone — GPS position, maker and model, a comment, XMP, a colour profile,
an orientation tag — and an official opens it on each channel: every photo byte the official's
app receives (what the fake platform was sent, or fetched from our signed link, or what the
web chat page shows) is a re-encoded JPEG with none of it, turned upright. The original stays
in the store, untouched, as evidence."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from PIL import ExifTags, Image
from sqlmodel import select

from bot.app import App
from bot.media_store import media_objects
from storage.models import FeedbackPhoto
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.images import assert_clean_photo, heic_photo, phone_photo
from tests.support.officials import HOAN_KIEM, feedback_walk, tg_become_official, tg_open
from tests.support.s3 import both_media_stores
from tests.support.telegram_harness import TelegramChat, TelegramDriver
from tests.support.telegram_harness import running_app as telegram_app
from tests.web.chat_client import WebChat, WebChatClient
from tests.web.test_chat_notices import browser
from tests.zalo_bot.harness import ZaloBotChat, ZaloDriver, needs_feedback, zalo_become_official
from tests.zalo_bot.harness import running_app as zalo_bot_app
from tests.zalo_oa.harness import OADriver, ZaloOAChat
from tests.zalo_oa.harness import running_app as zalo_oa_app

CODE = re.compile(r"PA-\d{4}-\d{6}")
pytestmark = both_media_stores  # with the media in MEDIA_DIR, and in an S3 bucket


async def _originals_keep_their_metadata(db, settings) -> None:  # noqa: ANN001
    """In the media store (MEDIA_DIR, or the bucket: then never on this machine's disk)."""
    async with db.session() as session:
        photos = (await session.exec(select(FeedbackPhoto))).all()
    assert photos
    objects = media_objects(settings.media)
    for photo in photos:
        with Image.open(io.BytesIO(objects.get(photo.path))) as original:
            assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # evidence, as sent
        assert (settings.media.dir / photo.path).exists() == (not settings.media.store)


@needs_feedback
async def test_telegram_official_gets_a_clean_photo(settings, clock, db):
    """The citizen sends the photo as a file (iPhone's "send as file" keeps every byte)."""
    async with FakeTelegram() as telegram:
        hoa, minh = telegram.user(2001, first_name="Hoa"), telegram.user(3001, first_name="Minh")
        async with telegram_app(settings, telegram, clock) as app:
            citizen, official = TelegramDriver(app, telegram, hoa), TelegramDriver(
                app, telegram, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            await citizen.command("phananh")
            for step in feedback_walk(photos=1):
                if step.kind == "photos":
                    [received] = await citizen._after(hoa.send_document(
                        phone_photo(), mime_type="image/jpeg", file_name="IMG_0001.JPG"))
                    assert "Đã nhận ảnh" in received.text, received.text
                else:
                    await walk(TelegramChat(citizen, albums=False), [step])
            await citizen.press("✅ Gửi")
            code = CODE.search(citizen.last.text).group(0)

            await tg_open(official, code)
            await tg_open(official, code)  # a second look: no second upload
            sent = [c for c in telegram.calls_to("sendPhoto") if c.chat_id == minh.chat_id]
            assert len(sent) == 2 and all(c.ok for c in sent), sent
            [uploaded] = sent[0].files.values()
            assert_clean_photo(uploaded.data)
            assert not sent[1].files  # by the file id Telegram gave our clean upload
            assert sent[1].params["photo"] == sent[0].result["photo"][-1]["file_id"]
        assert telegram.errors == [], telegram.errors
    await _originals_keep_their_metadata(db, settings)


@needs_feedback
async def test_zalo_bot_official_gets_a_clean_photo(settings, clock, db):
    async with FakeZaloBot() as zalo:
        hoa, minh = zalo.user("2001", "Hoa"), zalo.user("3001", "Minh")
        async with zalo_bot_app(settings, clock, zalo) as app:
            citizen, official = ZaloDriver(app, zalo, hoa), ZaloDriver(app, zalo, minh)
            await zalo_become_official(official, db, clock, unit=HOAN_KIEM)
            await citizen.command("phananh")
            for step in feedback_walk(photos=1):
                if step.kind == "photos":
                    received = await citizen.photo(data=phone_photo())
                    assert "Đã nhận ảnh" in received[-1].text, received
                else:
                    await walk(ZaloBotChat(citizen), [step])
            await citizen.pick("Gửi")
            assert CODE.search(citizen.last.text), citizen.last.text
            await app.outbox.drain()

            shown = await official.text("1")  # the notice's action: open it
            photos = [m for m in shown if m.method == "sendPhoto"]
            assert len(photos) == 1 and photos[0].photo_bytes, shown
            assert_clean_photo(photos[0].photo_bytes)  # what Zalo fetched from our link
        assert zalo.errors == [], zalo.errors
    await _originals_keep_their_metadata(db, settings)


@needs_feedback
async def test_zalo_oa_official_gets_a_clean_photo(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        hoa, minh = fake.user("5001", "Hoa"), fake.user("6001", "Minh")
        async with zalo_oa_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            citizen, official = OADriver(app, fake, hoa), OADriver(app, fake, minh)
            await official.command("moi", await make_invite(db, clock, unit=HOAN_KIEM))
            await citizen.command("phananh")
            for step in feedback_walk(photos=1):
                if step.kind == "photos":
                    await citizen._after(hoa.send_image(phone_photo()))
                else:
                    await walk(ZaloOAChat(citizen), [step])
            await citizen.press("Gửi")
            assert CODE.search(citizen.last_text), citizen.last_text
            await app.outbox.drain()

            shown = await official.press(minh.last.titles[0])
            assert shown[0].image is not None, shown
            assert_clean_photo(shown[0].image)  # the bytes uploaded to Zalo
        assert fake.errors == [], fake.errors
    await _originals_keep_their_metadata(db, settings)


async def test_web_chat_official_sees_clean_copies_made_once(settings, clock, db):
    """A JPEG and an iPhone HEIC from the web chat; the official's web chat shows both as clean
    JPEGs, and opening the feedback again re-encodes nothing (the copies on disk are kept)."""
    app = App(settings, clock=clock)
    await app.start()
    try:
        async with browser(app.web.url) as hoa_browser, browser(app.web.url) as minh_browser:
            hoa, minh = WebChatClient(hoa_browser), WebChatClient(minh_browser)
            await minh.text("/start " + await make_invite(db, clock, unit=HOAN_KIEM))
            await hoa.text("/phananh")
            for step in feedback_walk(photos=1):
                if step.kind == "photos":
                    received = await hoa.photos(files=[
                        ("IMG_0001.JPG", phone_photo(), "image/jpeg"),
                        ("IMG_0002.HEIC", heic_photo(), "image/heic")])
                    assert "Đã nhận 2 ảnh" in received[-1].text or "2/5" in received[-1].text, \
                        received
                else:
                    await walk(WebChat(hoa), [step])
            await hoa.press("✅ Gửi")
            code = CODE.search(hoa.last.text).group(0)

            await minh.text("/hopthu")
            first = await minh.press(code)
            shown = [b.src for b in first if b.kind == "photo"]
            assert len(shown) == 2 and all(src and src.startswith("data:image/jpeg;base64,")
                                           for src in shown), first
            for src in shown:
                assert_clean_photo(base64.b64decode(src.split(",", 1)[1]))
            copies = _copies(settings.media.dir)
            assert copies, "no copy kept on disk"

            await minh.text("/hopthu")
            again = await minh.press(code)
            assert [b.src for b in again if b.kind == "photo"] == shown
            assert _copies(settings.media.dir) == copies  # same files, not written again
    finally:
        await app.stop()
    await _originals_keep_their_metadata(db, settings)


def _copies(media_dir: Path) -> dict[Path, tuple[int, int]]:
    """Every file the store made from the originals, with its inode and modification time."""
    return {path: (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in media_dir.rglob("*.jpg") if "derived" in path.parts}
