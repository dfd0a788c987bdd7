"""Feedback end to end on Zalo: a citizen sends it (typed phone number, pasted map link, photo),
follows it by code, is answered and rated; the official, invited by a typed code, works from
notices whose numbered actions are typed. Photos go out by signed links Zalo fetches."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Feedback, FeedbackPhoto
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support.officials import HOAN_KIEM
from tests.zalo_bot.harness import (
    ZaloDriver,
    needs_feedback,
    running_app,
    zalo_become_official,
    zalo_send_feedback,
)


@needs_feedback
async def test_feedback_with_tracking_answer_resolution_and_rating(settings, clock, db):
    async with FakeZaloBot() as fake:
        hoa, minh = fake.user("2001", "Hoa"), fake.user("3001", "Minh")
        async with running_app(settings, clock, fake) as app:
            citizen, official = ZaloDriver(app, fake, hoa), ZaloDriver(app, fake, minh)
            await zalo_become_official(official, db, clock, unit=HOAN_KIEM)

            code = await zalo_send_feedback(citizen, anonymous=False, phone="0912 345 678",
                                            photos=1)
            assert code == "PA-2026-000001"
            await app.outbox.drain()
            notice = minh.last.text
            assert "Phản ánh mới PA-2026-000001" in notice and "1. " in notice

            shown = await official.text("1")  # the notice's action, typed
            assert [m.method for m in shown] == ["sendPhoto", "sendMessage"]
            assert shown[0].photo_bytes and "Đèn đường ngõ 12" in shown[1].text
            await official.pick("Trả lời")
            await official.text("Phường đã báo điện lực, sẽ thay bóng trong tuần này.")
            await official.pick("Gửi")
            assert "Đã gửi câu trả lời" in minh.last.text
            await app.outbox.drain()
            assert "Phường đã báo điện lực" in hoa.last.text

            [status] = await citizen.command("tracuu", code.lower())
            assert code in status.text and "Phường đã báo điện lực" in status.text

            await official.pick("Đổi trạng thái")
            await official.pick("Đã giải quyết")
            await official.text("Đã thay bóng đèn mới ngày 2/12.")
            await official.pick("Có, gửi ảnh")
            await official.photo(key="photo")
            await official.pick("Xong")
            await official.pick("Gửi")
            assert "Đã ghi nhận giải quyết xong" in minh.last.text
            before = len(hoa.inbox)
            await app.outbox.drain()
            resolution = hoa.inbox[before:]
            assert [m.method for m in resolution] == ["sendPhoto", "sendMessage"]
            assert "Đã thay bóng đèn mới" in resolution[-1].text
            assert "⭐⭐⭐⭐⭐" in resolution[-1].text

            await citizen.pick("⭐⭐⭐⭐")
            await citizen.text("Cảm ơn phường đã xử lý nhanh.")
            assert "Cảm ơn bạn đã góp ý" in hoa.last.text
        assert fake.errors == [], fake.errors

    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
        photos = (await session.exec(select(FeedbackPhoto))).all()
    assert feedback.status == "resolved" and feedback.satisfaction == 4
    assert feedback.reporter_phone == "+84912345678"
    assert (feedback.latitude, feedback.longitude) == (21.0341, 105.8521)
    assert len(photos) == 2 and {p.channel for p in photos} == {"zalo_bot"}
