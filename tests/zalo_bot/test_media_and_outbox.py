"""Photos and files go to Zalo by signed, expiring links; a burst of photos gets one answer;
notices from the outbox reach Zalo with typeable actions, are retried after "Quota exceeded",
and a permanent refusal with nowhere else to go is recorded as failed."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.web import signed_media
from bot.web.signed_media import SignedMediaUrls
from handlers.replies import (
    ACTION_TOKEN,
    DocumentReply,
    Option,
    PhotoReply,
    TextReply,
    to_payload,
)
from storage.models import ChannelAccount, OutboxMessage
from storage.repositories import outbox
from tests.fakes.zalo_bot_api import FakeZaloBot, make_jpeg
from tests.support.images import assert_clean_photo, phone_photo
from tests.support.s3 import media_store_on
from tests.zalo_bot.harness import ZaloDriver, running_app


async def test_signed_links_open_one_file_until_they_expire(tmp_path, clock, store_objects):
    """With the media in a local folder, and in an S3 bucket (`store_objects`)."""
    media = media_store_on(store_objects, tmp_path, max_image_bytes=10_000_000)
    stored = media.save_image(phone_photo())
    store_objects.put("report.xlsx", b"xlsx bytes")
    (tmp_path / "secret.txt").write_text("not for you")
    links = SignedMediaUrls.from_secret("token", clock=clock, ttl=timedelta(hours=24))
    app = web.Application()
    signed_media.register(app, links, media)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        links.base_url = str(client.make_url("/"))
        photo = links.url_for(stored.path)
        async with client.session.get(photo) as response:
            assert response.status == 200 and response.content_type == "image/jpeg"
            assert_clean_photo(await response.read())  # the clean copy, not the original
        document = links.url_for("report.xlsx", filename="Báo cáo 6 tháng.xlsx")
        async with client.session.get(document) as response:
            assert response.status == 200
            assert "attachment" in response.headers["Content-Disposition"]
            assert await response.read() == b"xlsx bytes"
        for forged in (photo.replace(stored.sha256[:8], "00000000"), photo[:-3] + "abc",
                       photo.split("&s=")[0], document.replace("n=B", "n=X")):
            async with client.session.get(forged) as response:
                assert response.status == 403, forged
        async with client.session.get(links.url_for("../secret.txt")) as response:
            assert response.status == 404
        clock.advance(hours=24, seconds=1)
        async with client.session.get(photo) as response:
            assert response.status == 403


async def test_a_burst_of_photos_gets_one_answer(settings, clock):
    async with FakeZaloBot() as fake:
        user = fake.user("4001", "An")
        # The longest wait the setting allows: the burst's answer waits for the next message.
        async with running_app(settings, clock, fake, photo_burst_seconds=10) as app:
            driver = ZaloDriver(app, fake, user)
            await driver.command("phananh")
            await driver.pick("Hạ tầng")
            await driver.text("Ổ gà lớn giữa đường liên xã, xe máy ngã nhiều lần.")
            burst = [user.send_image() for _ in range(3)]
            for message_id in burst:
                await app.zalo.wait_processed(message_id)
            before = len(user.inbox)
            await driver.command("trogiup")  # anything next sends the held answer first
            answer, help_and_question = user.inbox[before:]
            assert "Đã có 3/5 ảnh" in answer.text
            assert "Đã có 3/5 ảnh" in help_and_question.text  # the question, asked again
            assert sum("Đã nhận ảnh" in (m.text or "") for m in user.inbox) == 1


async def notify(app, db, clock, person_id: int, key: str, replies) -> None:  # noqa: ANN001
    async with db.session() as session:
        await outbox.enqueue(session, key=key, person_id=person_id,
                             payload=to_payload(replies), now=clock.now())
        await session.commit()
    await app.outbox.drain()


async def zalo_person(db, user_id: str) -> int:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(ChannelAccount).where(
            ChannelAccount.external_id == user_id))).one().person_id


async def test_notices_reach_zalo_with_actions_a_number_picks(settings, clock, db):
    async with FakeZaloBot() as fake:
        user = fake.user("4002", "Bình")
        async with running_app(settings, clock, fake) as app:
            driver = ZaloDriver(app, fake, user)
            await driver.text("xin chào")
            person = await zalo_person(db, "4002")
            choice = TextReply("🔔 Chọn nơi nhận thông báo:",
                               (Option("Tự động", "notify:auto"),), token=ACTION_TOKEN,
                               language="vi")
            await notify(app, db, clock, person, "n1", [choice])
            assert user.last.text.endswith("1. Tự động\n👉 Gõ 1 để chọn.")
            [done] = await driver.text("1")
            assert "Từ nay thông báo và nhắc việc gửi qua: Tự động" in done.text

            await driver.command("mohinh")  # in a form, "1" answers the form's question
            await notify(app, db, clock, person, "n2", [choice])
            assert user.last.text.endswith("• Tự động") and "Gõ 1" not in user.last.text

            report = app.settings.media.dir / "reports" / "bao-cao.xlsx"
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_bytes(b"PK xlsx")
            photo = app.engine.services.media.save_image(make_jpeg())
            await notify(app, db, clock, person, "n3", [
                PhotoReply(photo.path, caption="Ảnh minh chứng"),
                DocumentReply("reports/bao-cao.xlsx", "Báo cáo 6 tháng.xlsx", "📊 Báo cáo")])
            sent_photo, sent_document = user.inbox[-2:]
            assert sent_photo.photo_bytes == app.engine.services.media.outgoing(
                photo.path).read_bytes()  # the clean copy
            assert "📎 Báo cáo 6 tháng.xlsx" in sent_document.text
            link = sent_document.text.splitlines()[-1]
            async with aiohttp.ClientSession() as session, session.get(link) as response:
                assert await response.read() == b"PK xlsx"
        assert fake.errors == []


async def test_quota_exceeded_is_retried_later_and_a_refusal_recorded(settings, clock, db):
    async with FakeZaloBot() as fake:
        user = fake.user("4003", "Chi")
        async with running_app(settings, clock, fake) as app:
            await ZaloDriver(app, fake, user).text("xin chào")
            person = await zalo_person(db, "4003")
            fake.fail("sendMessage", 429)
            await notify(app, db, clock, person, "q1", [TextReply("Nhắc việc", language="vi")])
            async with db.session() as session:
                waiting = (await session.exec(select(OutboxMessage))).one()
            assert waiting.status == "pending" and "Quota exceeded" in waiting.last_error
            clock.advance(minutes=1)
            await app.outbox.drain()
            assert user.last.text == "Nhắc việc"

            fake.fail("sendMessage", 400, description="chat_id is invalid")
            await notify(app, db, clock, person, "q2", [TextReply("Lần hai", language="vi")])
            async with db.session() as session:
                failed = (await session.exec(select(OutboxMessage).where(
                    OutboxMessage.idempotency_key == "q2"))).one()
            assert failed.status == "failed" and "chat_id is invalid" in failed.last_error
