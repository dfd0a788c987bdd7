"""Officials act only inside their jurisdiction: commune officials on their commune, province
officials on every commune of their province. Inbox, /tracuu and forged button payloads alike."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from storage.models import Feedback, FeedbackEvent, Practice
from tests.fakes.telegram_api import FakeTelegram
from tests.support.factories import store_practice
from tests.support.officials import (
    BEN_THANH_PIN,
    HOAN_KIEM,
    THANH_XUAN,
    feedback_walk,
    tg_become_official,
    tg_send_feedback,
)
from tests.support.telegram_harness import TelegramDriver, running_app


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


FORGED = [
    "a:fb_open:2", "a:fb_ack:2", "a:fb_reply:2", "a:fb_status:2", "a:fb_set:2:in_progress",
    "a:fb_resolve:2", "a:fb_reject:2", "a:fb_fwd:2", "a:fb_open:999", "a:fb_open:x1",
    "a:fb_set:1:resolved", "a:pr_open:{p}", "a:pr_ok:{p}", "a:pr_changes:{p}",
    "a:pr_reject:{p}", "a:pr_rec:{p}", "a:inbox:0",
]


async def test_commune_and_province_officials_stay_in_their_jurisdiction(
        fast_settings, clock, db, caplog):
    caplog.set_level(logging.WARNING)
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa", username="hoa_hn")
        other = fake.user(2002, first_name="Bình")
        users = {name: fake.user(uid, first_name=name) for name, uid in
                 (("hk", 3001), ("tx", 3002), ("hn", 3003), ("hcm", 3004))}
        async with running_app(fast_settings, fake, clock) as app:
            drive = {name: TelegramDriver(app, fake, user) for name, user in users.items()}
            await tg_become_official(drive["hk"], db, clock, unit=HOAN_KIEM)
            await tg_become_official(drive["tx"], db, clock, unit=THANH_XUAN)
            await tg_become_official(drive["hn"], db, clock, unit="01", level="province")
            await tg_become_official(drive["hcm"], db, clock, unit="79", level="province")
            citizen = TelegramDriver(app, fake, hoa)
            codes = [
                await tg_send_feedback(citizen, feedback_walk(photos=0)),
                await tg_send_feedback(citizen, feedback_walk(
                    photos=0, commune_query="thanh xuan",
                    commune_pick="Phường Thanh Xuân, Thành phố Hà Nội")),
                await tg_send_feedback(citizen, feedback_walk(
                    photos=0, commune_query="ben thanh", pin=BEN_THANH_PIN,
                    commune_pick="Phường Bến Thành, Thành phố Hồ Chí Minh")),
            ]
            practice_id = await store_practice(db, clock, commune=THANH_XUAN, submitter_id=999)
            await app.outbox.drain()

            inboxes = {}
            for name, driver in drive.items():
                await driver.command("hopthu")
                inboxes[name] = users[name].last.text
            assert codes[0] in inboxes["hk"] and codes[1] not in inboxes["hk"]
            assert codes[1] in inboxes["tx"] and "MH-2026-" in inboxes["tx"]
            assert codes[0] not in inboxes["tx"] and codes[2] not in inboxes["tx"]
            assert codes[0] in inboxes["hn"] and codes[1] in inboxes["hn"]
            assert codes[2] not in inboxes["hn"]
            assert codes[2] in inboxes["hcm"] and codes[0] not in inboxes["hcm"]
            assert "MH-2026-" not in inboxes["hk"] and "MH-2026-" not in inboxes["hcm"]

            hk = drive["hk"]
            await hk.command("tracuu", codes[1])
            assert "không tìm thấy mục này trong phạm vi" in users["hk"].last.text.lower()
            assert "Đèn đường" not in users["hk"].last.text
            for data in FORGED:
                replies = await hk.press_data(data.format(p=practice_id))
                assert replies and replies[-1].text.startswith("⛔"), (data, replies)
                assert "Đèn đường" not in replies[-1].text
            await drive["hcm"].press_data("a:fb_open:1")
            assert users["hcm"].last.text.startswith("⛔")
            await drive["hn"].press_data("a:fb_open:2")  # the province covers Thanh Xuân
            assert "📣 Phản ánh PA-2026-000002" in users["hn"].last.text

            await citizen.press_data("a:fb_ack:1")  # her own feedback, but she is no official
            assert hoa.last.text.startswith("⛔")
            await TelegramDriver(app, fake, other).command("tracuu", codes[0])
            assert "Không tìm thấy" in other.last.text and "Đèn đường" not in other.last.text
        assert fake.errors == []

    async with db.session() as session:
        statuses = [f.status for f in (await session.exec(select(Feedback))).all()]
        events = (await session.exec(select(FeedbackEvent))).all()
        practice = await session.get(Practice, practice_id)
    assert statuses == ["new", "new", "new"] and len(events) == 3
    assert practice.status == "submitted"

    refused = [r for r in caplog.records if r.getMessage() == "official action refused"]
    assert len(refused) >= len(FORGED) + 3
    assert {r.reason for r in refused} >= {"outside", "not_found", "malformed", "not_official"}
    outside = [r for r in refused if r.reason == "outside" and r.item_id == 2]
    assert outside and all(r.item == "feedback" for r in outside)
    timing = {"created", "msecs", "relativeCreated", "thread", "process"}  # numbers, by chance
    for record in refused:
        logged = str({k: v for k, v in record.__dict__.items() if k not in timing})
        assert "Hoa" not in logged and "hoa_hn" not in logged and "2001" not in logged
