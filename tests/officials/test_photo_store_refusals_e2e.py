"""A stored photo the S3 bucket refuses to give (MEDIA_STORE=s3://…, moto's server over HTTP):
an official opening a citizen's feedback on any channel still gets the feedback, and in place
of the photo a friendly line saying it cannot be opened now; the public map's photo and the
signed link Zalo fetches answer 503 with Retry-After. Nothing crashes, no traceback reaches
anyone, and one structured WARNING names the object key, never the citizen's data. Once the
bucket gives the photo again, it is sent as usual.

The refusal is real S3 behaviour: the originals are archived (storage class GLACIER), so S3
answers 403 InvalidObjectState to every read until they are restored; this machine's clean
copies are gone (a worker that never showed the photo), so each must come from the bucket."""

from __future__ import annotations

import base64
import json
import logging
import re

import pytest

from bot.app import App
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.images import assert_clean_photo
from tests.support.officials import HOAN_KIEM, feedback_walk, tg_become_official
from tests.support.s3 import bucket_refusing_photos
from tests.support.telegram_harness import TelegramChat, TelegramDriver
from tests.support.telegram_harness import running_app as telegram_app
from tests.web.chat_client import WebChat, WebChatClient
from tests.web.test_chat_notices import browser
from tests.zalo_bot.harness import ZaloBotChat, ZaloDriver, needs_feedback, zalo_become_official
from tests.zalo_bot.harness import running_app as zalo_bot_app
from tests.zalo_oa.harness import OADriver, ZaloOAChat
from tests.zalo_oa.harness import running_app as zalo_oa_app

pytestmark = pytest.mark.parametrize("media_settings", ["s3"], indirect=True)

CODE = re.compile(r"PA-\d{4}-\d{6}")
UNAVAILABLE = "Ảnh này tạm thời chưa mở được: hệ thống lưu trữ đang bận, thử lại sau."
REFUSED = "media store refused a file on its way out"
FEEDBACK_TEXT = "Đèn đường ngõ 12 phố Hàng Bạc"  # what the citizen wrote (tests/support)


def assert_refusal_logged(caplog: pytest.LogCaptureFixture, keys: list[str]) -> None:
    """Each refusal: one WARNING naming the object key and why, without the citizen's data;
    and nothing logged as an error (no crash, no traceback)."""
    refused = [r for r in caplog.records if r.getMessage() == REFUSED]
    assert refused, [r.getMessage() for r in caplog.records]
    for record in refused:
        assert record.levelno == logging.WARNING and record.exc_info is None
        assert record.key in keys and "InvalidObjectState" in record.reason
        assert FEEDBACK_TEXT not in json.dumps(record.__dict__, default=str)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


@needs_feedback
async def test_telegram_official_is_told_a_photo_the_bucket_refuses_cannot_be_opened_now(
        settings, clock, db, media_bucket, caplog):
    caplog.set_level(logging.INFO)
    async with FakeTelegram() as telegram:
        hoa, minh = telegram.user(2001, first_name="Hoa"), telegram.user(3001, first_name="Minh")
        async with telegram_app(settings, telegram, clock) as app:
            citizen, official = TelegramDriver(app, telegram, hoa), TelegramDriver(
                app, telegram, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            await citizen.command("phananh")
            await walk(TelegramChat(citizen, albums=False), feedback_walk(photos=1))
            await citizen.press("✅ Gửi")
            code = CODE.search(citizen.last.text).group(0)
            await app.outbox.drain()

            with bucket_refusing_photos(media_bucket, settings.media.dir) as keys:
                await official.command("hopthu")
                shown = await official.press(code)
                texts = [m.text for m in shown]
                assert any(code in text and FEEDBACK_TEXT in text for text in texts), texts
                assert any(UNAVAILABLE in text for text in texts), texts
                assert telegram.calls_to("sendPhoto") == []
            assert_refusal_logged(caplog, keys)

            await official.command("hopthu")
            await official.press(code)
            [sent] = [c for c in telegram.calls_to("sendPhoto") if c.chat_id == minh.chat_id]
            assert sent.ok
            assert_clean_photo(next(iter(sent.files.values())).data, shown_tall=False)
        assert telegram.errors == [], telegram.errors


@needs_feedback
async def test_zalo_bot_official_is_told_a_photo_the_bucket_refuses_cannot_be_opened_now(
        settings, clock, db, media_bucket, caplog):
    """Zalo fetches the photo from our signed link: it gets a 503, Zalo refuses the send, and
    the official is told in words instead."""
    caplog.set_level(logging.INFO)
    async with FakeZaloBot() as zalo:
        hoa, minh = zalo.user("2001", "Hoa"), zalo.user("3001", "Minh")
        async with zalo_bot_app(settings, clock, zalo) as app:
            citizen, official = ZaloDriver(app, zalo, hoa), ZaloDriver(app, zalo, minh)
            await zalo_become_official(official, db, clock, unit=HOAN_KIEM)
            await citizen.command("phananh")
            await walk(ZaloBotChat(citizen), feedback_walk(photos=1))
            await citizen.pick("Gửi")
            assert CODE.search(citizen.last.text), citizen.last.text
            await app.outbox.drain()

            with bucket_refusing_photos(media_bucket, settings.media.dir) as keys:
                shown = await official.text("1")  # the notice's action: open it
                assert [m for m in shown if m.method == "sendPhoto"] == []
                assert any(UNAVAILABLE in (m.text or "") for m in shown), shown
                fetched = [c for c in zalo.errors if c.method == "sendPhoto"]
                assert [c.response["description"] for c in fetched] == [
                    "photo url answered 503"]
                zalo.errors.clear()  # that refusal was the point
            assert_refusal_logged(caplog, keys)

            await official.command("hopthu")
            shown = await official.text("1")
            photos = [m for m in shown if m.method == "sendPhoto"]
            assert len(photos) == 1 and photos[0].photo_bytes, shown
            assert_clean_photo(photos[0].photo_bytes, shown_tall=False)
        assert zalo.errors == [], zalo.errors


@needs_feedback
async def test_zalo_oa_official_is_told_a_photo_the_bucket_refuses_cannot_be_opened_now(
        settings, clock, db, media_bucket, caplog):
    caplog.set_level(logging.INFO)
    async with FakeZaloOA(clock) as fake:
        hoa, minh = fake.user("5001", "Hoa"), fake.user("6001", "Minh")
        async with zalo_oa_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            citizen, official = OADriver(app, fake, hoa), OADriver(app, fake, minh)
            await official.command("moi", await make_invite(db, clock, unit=HOAN_KIEM))
            await citizen.command("phananh")
            await walk(ZaloOAChat(citizen), feedback_walk(photos=1))
            await citizen.press("Gửi")
            code = CODE.search(citizen.last_text).group(0)
            await app.outbox.drain()
            notice = minh.last

            with bucket_refusing_photos(media_bucket, settings.media.dir) as keys:
                shown = await official.press(notice.titles[0])
                assert all(m.image is None for m in shown), shown
                assert any(UNAVAILABLE in (m.text or "") for m in shown), shown
            assert_refusal_logged(caplog, keys)

            await official.command("hopthu")
            [item] = [title for title in minh.last.titles if code in title]
            shown = await official.press(item)
            assert shown[0].image is not None, shown
            assert_clean_photo(shown[0].image, shown_tall=False)
        assert fake.errors == [], fake.errors


@needs_feedback
async def test_web_chat_official_is_told_a_photo_the_bucket_refuses_cannot_be_opened_now(
        settings, clock, db, media_bucket, caplog):
    caplog.set_level(logging.INFO)
    app = App(settings, clock=clock)
    await app.start()
    try:
        async with browser(app.web.url) as hoa_browser, browser(app.web.url) as minh_browser:
            hoa, minh = WebChatClient(hoa_browser), WebChatClient(minh_browser)
            await minh.text("/start " + await make_invite(db, clock, unit=HOAN_KIEM))
            await hoa.text("/phananh")
            await walk(WebChat(hoa), feedback_walk(photos=1))
            await hoa.press("✅ Gửi")
            code = CODE.search(hoa.last.text).group(0)

            with bucket_refusing_photos(media_bucket, settings.media.dir) as keys:
                await minh.text("/hopthu")
                shown = await minh.press(code)
                assert minh.status == 200
                [photo] = [b for b in shown if b.kind == "photo"]
                assert photo.src is None and UNAVAILABLE in photo.text, shown
            assert_refusal_logged(caplog, keys)

            await minh.text("/hopthu")
            shown = await minh.press(code)
            [photo] = [b for b in shown if b.kind == "photo"]
            assert photo.src and photo.src.startswith("data:image/jpeg;base64,")
            assert_clean_photo(base64.b64decode(photo.src.split(",", 1)[1]), shown_tall=False)
    finally:
        await app.stop()
