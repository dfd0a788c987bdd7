"""The OA webhook: only events signed by Zalo over their exact bytes are processed, at once
answered and handled afterwards, each once; the OA's own echoes are ignored."""

from __future__ import annotations

import asyncio
import json

from sqlmodel import select

from storage.models import ChannelAccount, ProcessedUpdate
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support.bursts import settle
from tests.support.images import jpeg_bytes
from tests.zalo_oa.harness import OADriver, running_app


async def processed(db) -> list[str]:  # noqa: ANN001
    async with db.session() as session:
        rows = (await session.exec(
            select(ProcessedUpdate).where(ProcessedUpdate.channel == "zalo_oa"))).all()
    return [row.update_id for row in rows]


async def test_forged_altered_reserialised_and_stale_events_are_refused(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        lan = fake.user("7001", "Lan")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            event = fake.event(lan, "user_send_text", {"message": {"msg_id": "forged-1",
                                                                   "text": "/start"}})
            raw = json.dumps(event, ensure_ascii=False).encode()
            good = fake.sign(raw, event["timestamp"])

            assert await fake.post_raw(raw, None) == 401
            forged = FakeZaloOA(clock, secret_key="someone-elses-key").sign(
                raw, event["timestamp"])
            assert await fake.post_raw(raw, forged) == 403
            altered = raw.replace(b"/start", b"/stats")
            assert await fake.post_raw(altered, good) == 403
            reserialised = json.dumps(json.loads(raw), indent=1, sort_keys=True).encode()
            assert json.loads(reserialised) == event and reserialised != raw
            assert await fake.post_raw(reserialised, good) == 403
            assert await fake.post_raw(b"not json", good) == 400
            assert await fake.post_raw(b"[" * 100_000, good) == 400
            # The signature is checked over the raw bytes before anything is parsed: a body
            # naming a timestamp but otherwise garbage (or nested past any parser) is simply
            # not signed by Zalo (403), never parsed (which would be 400, or worse).
            stamp = f'{{"timestamp": "{event["timestamp"]}", '.encode()
            for garbage in (stamp + b"not json", stamp + b'"x": ' + b"[" * 100_000):
                assert await fake.post_raw(garbage, good) == 403
                assert await fake.post_raw(garbage, "mac=" + "0" * 64) == 403
            deep = stamp + b'"x": ' + b"[" * 100_000
            assert await fake.post_raw(deep, fake.sign(deep, event["timestamp"])) == 400
            assert await fake.post_raw(raw, "mac=" + "0" * 64) == 403

            clock.advance(hours=2)  # older than ZALO_OA_WEBHOOK_MAX_AGE_SECONDS (1 hour)
            assert await fake.post_raw(raw, good) == 403
            clock.advance(hours=-2)

            # A genuine event after all that: it alone is processed.
            await OADriver(app, fake, lan).text("xin chào")
            assert len(lan.inbox) == 1 and "Bạn muốn làm gì?" in lan.last.text
            assert len(await processed(db)) == 1
        assert fake.errors == []

    async with db.session() as session:
        accounts = (await session.exec(select(ChannelAccount))).all()
    assert [a.external_id for a in accounts] == ["7001"]


async def test_answered_at_once_handled_afterwards_once_and_echoes_ignored(settings, clock,
                                                                           db):
    async with FakeZaloOA(clock) as fake:
        lan = fake.user("7002", "Lan")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            driver = OADriver(app, fake, lan)
            await driver.text("/mohinh")
            # A photo whose download hangs: the webhook is still answered 200 at once.
            fake.download_gate = asyncio.Event()
            event = fake.event(lan, "user_send_image", {"message": {
                "msg_id": "img-1", "attachments": [
                    {"type": "image", "payload": {"url": fake.host_file(jpeg_bytes())}}]}})
            raw = json.dumps(event).encode()
            assert await fake.post_raw(raw, fake.sign(raw, event["timestamp"])) == 200
            assert "img-1" not in await processed(db)
            # Zalo retries (we were "slow"): the retry is dropped, the event handled once.
            assert await fake.post_raw(raw, fake.sign(raw, event["timestamp"])) == 200
            fake.download_gate.set()
            await app.zalo_oa.wait_processed("img-1")
            await settle(app)  # the photo's burst is over: its answer goes out
            assert (await processed(db)).count("img-1") == 1
            answers = len(lan.inbox)

            # Redelivered after a restart of our side too: the engine drops it. (This user's
            # events are handled in order, so the text below is answered after it.)
            app.zalo_oa._recent.clear()
            assert await fake.post_raw(raw, fake.sign(raw, event["timestamp"])) == 200
            echo = fake.event(lan, "oa_send_text", {"message": {"msg_id": "echo-1",
                                                                "text": "…"}})
            echo["sender"], echo["recipient"] = {"id": fake.oa_id}, {"id": lan.id}
            raw = json.dumps(echo).encode()
            assert await fake.post_raw(raw, fake.sign(raw, echo["timestamp"])) == 200
            await driver.text("xin chào")
            assert len(lan.inbox) == answers + 1
            assert "echo-1" not in await processed(db)
        assert fake.errors == []


async def test_stickers_files_and_unfollow(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        lan = fake.user("7003", "Lan")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            driver = OADriver(app, fake, lan)
            await driver.text("/mohinh")
            [answer] = await driver.sticker()
            assert "nhãn dán" in answer.text and "Ai gửi mô hình này?" in answer.text
            [answer] = await driver._after(lan.send_file("bao-cao.pdf", b"%PDF-1.4"))
            assert "JPG, PNG" in answer.text
            await driver._after(lan.unfollow())
        async with db.session() as session:
            account = (await session.exec(select(ChannelAccount))).one()
        assert account.active is False
        assert fake.errors == []
