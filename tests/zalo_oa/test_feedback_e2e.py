"""Feedback over the Zalo OA, end to end: a citizen reports with a photo, a Zalo location event
and the phone number shared on Zalo's `request_user_info` card; an official, invited by a
typed code, is notified through the outbox on the OA, opens it with a button and answers; the
citizen gets the answer on the OA."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from handlers.registry import build_features
from storage.media import MediaStore
from storage.models import Feedback, FeedbackPhoto, OutboxMessage
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.officials import HOAN_KIEM, feedback_walk
from tests.zalo_oa.harness import OADriver, ZaloOAChat, running_app

needs_feedback = pytest.mark.skipif(
    "feedback" not in build_features().flows,
    reason="the feedback flow (issue 3) is not registered in handlers/registry.py yet")


@needs_feedback
async def test_feedback_with_phone_card_location_and_an_answer(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        hoa, minh = fake.user("5001", "Hoa"), fake.user("6001", "Minh")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            citizen, official = OADriver(app, fake, hoa), OADriver(app, fake, minh)
            token = await make_invite(db, clock, unit=HOAN_KIEM)
            await official.command("moi", token)
            assert "Chào mừng" in official.last_text

            await citizen.command("phananh")
            steps = feedback_walk(anonymous=False, phone="84912345678", photos=1,
                                  name="Nguyễn Thị Hoa")
            for step in steps:
                if step.kind == "contact":
                    card = hoa.last
                    assert card.card == "request_user_info", hoa.texts(-2)
                    assert "chia sẻ" in hoa.inbox[-2].text.lower()
                await walk(ZaloOAChat(citizen), [step])
            await citizen.press("Gửi")
            code = re.search(r"PA-\d{4}-\d{6}", citizen.last_text)
            assert code, citizen.last_text

            await app.outbox.drain()
            notice = minh.last
            assert f"Phản ánh mới {code.group(0)}" in notice.text, minh.texts(-2)
            assert 1 <= len(notice.buttons) <= 5
            shown = await official.press(notice.titles[0])
            assert shown[0].image is not None and "ảnh 1/1" in shown[0].text  # her photo
            assert "Đèn đường ngõ 12" in shown[-1].text
            await official.press("Trả lời")
            await official.text("Phường đã báo điện lực, sẽ thay bóng trong tuần này.")
            await official.press("Gửi")
            await app.outbox.drain()
            assert "Phường đã báo điện lực" in citizen.last_text

            [queued] = await official.command("baocao")  # answered at once, built meanwhile
            assert queued.text.startswith("⏳"), queued.text
            await app.scheduler.ondemand_reports.run()
            await app.outbox.drain()
            report = minh.last  # an XLSX, uploaded as a file
            assert report.file_name.endswith(".xlsx") and report.file.startswith(b"PK")
        assert fake.errors == [], fake.errors

    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
        sent = (await session.exec(select(OutboxMessage))).all()
    assert feedback.reporter_phone == "+84912345678"
    [photo] = (await _photos(db))
    media = MediaStore(settings.media.dir, max_image_bytes=settings.media.max_photo_bytes)
    assert shown[0].image == media.outgoing(photo.path).read_bytes()  # the clean copy
    assert (feedback.latitude, feedback.longitude) == (21.0341, 105.8521)
    assert {m.status for m in sent} == {"sent"} and {m.channel for m in sent} == {"zalo_oa"}


async def _photos(db) -> list[FeedbackPhoto]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(select(FeedbackPhoto))).all())
