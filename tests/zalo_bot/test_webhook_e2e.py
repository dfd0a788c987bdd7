"""Webhook mode: Zalo POSTs updates to our web server with the secret we registered. Without the
secret, or with a wrong one, nothing is processed; an update delivered twice is handled once."""

from __future__ import annotations

from sqlmodel import select

from storage.models import ChannelAccount, Conversation, ProcessedUpdate
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.zalo_bot.harness import WEBHOOK_SECRET, WEBHOOK_URL, ZaloDriver, running_app


async def test_updates_arrive_by_webhook_wrapped_or_flat(settings, clock):
    async with FakeZaloBot() as fake:
        user = fake.user("5001", "Hà")
        async with running_app(settings, clock, fake, webhook=True) as app:
            assert fake.webhook["url"] == WEBHOOK_URL
            assert fake.webhook["secret_token"] == WEBHOOK_SECRET
            driver = ZaloDriver(app, fake, user, auto_consent=False)
            [menu] = await driver.text("xin chào")  # wrapped in {ok, result}
            assert "Bạn muốn làm gì?" in menu.text
            fake.flat_webhooks = True
            [question] = await driver.text("1")  # flat {event_name, message}
            assert "Ai gửi mô hình này?" in question.text
            assert {d.status for d in fake.webhook_deliveries} == {200}
            assert fake.calls_to("getUpdates") == []
        assert fake.errors == []


async def test_missing_or_wrong_secret_is_rejected_and_nothing_processed(settings, clock, db):
    async with FakeZaloBot() as fake:
        intruder = fake.user("6666", "Kẻ giả mạo")
        async with running_app(settings, clock, fake, webhook=True) as app:
            update = {"event_name": "message.text.received",
                      "message": intruder.message(text="/mohinh")}
            assert await fake.post_webhook(update, secret=None) == 401
            assert await fake.post_webhook(update, secret="not-the-secret") == 403
            assert await fake.post_webhook(update, secret=WEBHOOK_SECRET[:-1]) == 403
            assert await fake.post_webhook(update, secret=None, flat=True) == 401
            async with db.session() as session:
                assert (await session.exec(select(ChannelAccount))).all() == []
                assert (await session.exec(select(ProcessedUpdate))).all() == []
            assert intruder.inbox == []

            # The same update with the right secret is handled; a body that is no update is 400.
            assert await fake.post_webhook(update, secret=WEBHOOK_SECRET) == 200
            await app.zalo.wait_processed(update["message"]["message_id"])
            assert "Ai gửi mô hình này?" in intruder.last.text
            assert await fake.post_webhook({"hello": 1}, secret=WEBHOOK_SECRET, flat=True) == 400
            for raw in (b"[" * 100_000, b"{not json", b"\xff\xfe"):
                assert await fake.post_webhook_raw(raw, secret=WEBHOOK_SECRET) == 400


async def test_the_same_event_twice_is_processed_once(settings, clock, db):
    async with FakeZaloBot() as fake:
        user = fake.user("7001", "Minh")
        async with running_app(settings, clock, fake) as app:
            driver = ZaloDriver(app, fake, user, auto_consent=False)
            await driver.command("mohinh")
            first = user.send_text("1")
            await app.zalo.wait_processed(first)
            count = len(user.inbox)
            fake.redeliver(first)
            await driver.command("trogiup")  # in the chat's order: the copy was handled before
            assert len(user.inbox) == count + 1

        # The same over the webhook, twice in a row.
        async with running_app(settings, clock, fake, webhook=True) as app:
            update = {"event_name": "message.text.received", "message": user.message(text="1")}
            before = len(user.inbox)
            for _ in range(2):
                assert await fake.post_webhook(update, secret=WEBHOOK_SECRET) == 200
            await ZaloDriver(app, fake, user, auto_consent=False).command("trogiup")
            answer, help_and_question = user.inbox[before:]
            # The next question asks a name: the privacy notice comes first, once.
            assert "🔒 Trước khi tiếp tục" in answer.text
            assert "🔒 Trước khi tiếp tục" in help_and_question.text
    async with db.session() as session:
        conversation = (await session.exec(select(Conversation))).one()
    assert conversation.data["draft"]["answers"] == {"submitter_kind": "collective",
                                            "collective_type": "village"}
