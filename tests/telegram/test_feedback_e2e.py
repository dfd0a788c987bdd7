"""Feedback end to end over Telegram: the real python-telegram-bot client against the fake Bot
API over HTTP, a real SQLite database, notices delivered by the outbox worker."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Feedback, FeedbackEvent, FeedbackPhoto
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.officials import (
    HOAN_KIEM,
    feedback_walk,
    tg_become_official,
    tg_open,
    tg_resolve,
    tg_send_feedback,
)
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app


@pytest.fixture
def fast_settings(settings):
    """The outbox paced far above Telegram's limits, so tests do not wait for it."""
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def test_round_trip_feedback_answer_resolution_rating_stats(fast_settings, clock, db):
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa", language_code="vi")
        minh = fake.user(3001, first_name="Minh", language_code="vi")
        async with running_app(fast_settings, fake, clock) as app:
            citizen, official = TelegramDriver(app, fake, hoa), TelegramDriver(app, fake, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)

            await citizen.command("start")
            assert any(b.endswith("Gửi phản ánh") for b in hoa.last.buttons)
            code = await tg_send_feedback(citizen, feedback_walk(photos=1))
            assert code == "PA-2026-000001"
            await app.outbox.drain()
            assert "Phản ánh mới PA-2026-000001" in minh.last.text

            await official.command("hopthu")
            assert "PA-2026-000001" in minh.last.text and "Mới gửi" in minh.last.text
            shown = await official.press("📣 PA-2026-000001")
            assert [m.kind for m in shown] == ["photo", "text"]
            assert "Đèn đường ngõ 12" in minh.last.text and "ẩn danh" in minh.last.text
            assert "openstreetmap.org" in minh.last.text

            await official.press("💬 Trả lời")
            await official.text("Phường đã báo điện lực, sẽ thay bóng trong tuần này.")
            await official.press("✅ Gửi")
            assert "Đã gửi câu trả lời" in minh.last.text
            await app.outbox.drain()
            answer = hoa.last.text
            assert "Phường đã báo điện lực" in answer
            assert "Cán bộ dân vận Phường Hoàn Kiếm" in answer
            assert "Minh" not in answer  # relayed in the unit's name, never the official's

            await tg_resolve(official, "Đã thay bóng đèn mới ngày 2/12.", proof_photos=1)
            assert "Đã ghi nhận giải quyết xong" in minh.last.text
            before = len(hoa.inbox)
            await app.outbox.drain()
            resolution = hoa.inbox[before:]
            assert [m.kind for m in resolution] == ["photo", "text"]
            assert "Đã thay bóng đèn mới" in resolution[-1].text
            assert "⭐⭐⭐⭐⭐" in resolution[-1].buttons

            await citizen.press("⭐⭐⭐⭐")
            assert "đánh giá 4/5" in hoa.inbox[-2].text or "4/5" in hoa.last.text
            await citizen.text("Cảm ơn phường đã xử lý nhanh.")
            assert "Cảm ơn bạn đã góp ý" in hoa.last.text
            await app.outbox.drain()  # the rating's notice to the official, before the stats

            await official.command("thongke")
            stats = minh.last.text
        assert fake.errors == []

    assert "Phản ánh: 1" in stats and "Đã giải quyết 1" in stats
    assert "4.0/5 (1 lượt" in stats and "Phường Hoàn Kiếm 1" in stats
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
        events = (await session.exec(select(FeedbackEvent))).all()
        photos = (await session.exec(select(FeedbackPhoto))).all()
    assert feedback.status == "resolved" and feedback.satisfaction == 4
    assert feedback.satisfaction_comment == "Cảm ơn phường đã xử lý nhanh."
    assert feedback.first_answered_at is not None and feedback.resolved_at is not None
    assert [e.kind for e in events] == ["created", "answer", "status", "rated"]
    assert len(photos) == 2 and photos[1].event_id == events[2].id  # the proof


async def test_anonymous_feedback_never_reaches_officials_with_identity(fast_settings, clock, db):
    """Through its whole life (answers, an addition, a forward, resolution, rating, reopening,
    a second resolution), nothing sent to anyone but the sender names them."""
    secrets = ["Lương Thị Xuyến", "Xuyến", "xuyen_hk99", "777123456", "987654321", "987 654 321"]
    async with FakeTelegram() as fake:
        xuyen = fake.user(777123456, first_name="Xuyến", last_name="Lương Thị",
                          username="xuyen_hk99")
        commune = fake.user(3001, first_name="Minh")
        province = fake.user(3002, first_name="Lan")
        async with running_app(fast_settings, fake, clock) as app:
            citizen = TelegramDriver(app, fake, xuyen)
            local = TelegramDriver(app, fake, commune)
            city = TelegramDriver(app, fake, province)
            await tg_become_official(local, db, clock, unit=HOAN_KIEM)
            await tg_become_official(city, db, clock, unit="01", level="province")

            # She first chooses to give her name and phone, then changes her mind.
            await citizen.command("phananh")
            await walk(TelegramChat(citizen, albums=False),
                       feedback_walk(anonymous=False, phone="0987 654 321", photos=1))
            assert "+84987654321" in xuyen.last.text
            await citizen.press("✏️ Sửa")
            await citizen.press("Hình thức gửi")
            await citizen.press("🕶 Gửi ẩn danh")
            assert "+84987654321" not in xuyen.last.text
            await citizen.press("✅ Gửi")
            await app.outbox.drain()

            await tg_open(local, "📣 PA-2026-000001")
            await local.press("✅ Tiếp nhận")
            await local.press("💬 Trả lời")
            await local.text("Phường đã ghi nhận, sẽ kiểm tra hiện trường.")
            await local.press("✅ Gửi")
            await app.outbox.drain()

            await citizen.press("➕ Bổ sung thông tin, ảnh")
            await citizen.text("Tối qua lại có người ngã xe ở đây.")
            await citizen.photo()
            await citizen.press("✅ Xong")
            await citizen.press("✅ Gửi")
            assert "Đã gửi phần bổ sung" in xuyen.last.text
            await app.outbox.drain()
            assert "bổ sung thông tin" in commune.last.text

            await local.press("📂 Mở")
            await local.press("↪️ Chuyển đơn vị khác")
            await local.press("🏛 Cấp tỉnh, thành phố")
            await local.text("Cần thành phố đầu tư hệ thống chiếu sáng mới.")
            await local.press("✅ Gửi")
            assert "Đã chuyển phản ánh PA-2026-000001" in commune.last.text
            await app.outbox.drain()
            assert "được chuyển đến đơn vị của bạn" in province.last.text

            await tg_open(city, "📣 PA-2026-000001")
            await city.press("✅ Tiếp nhận")
            await tg_resolve(city, "Thành phố đã lắp 6 cột đèn mới.", proof_photos=1)
            await app.outbox.drain()
            await citizen.press("⭐⭐")
            await citizen.text("Vẫn còn một đoạn tối.")
            await citizen.command("tracuu", "PA-2026-000001")
            await citizen.press("🔁 Chưa được giải quyết: mở lại")
            await citizen.text("Đoạn cuối ngõ vẫn chưa có đèn.")
            await citizen.press("✅ Gửi")
            await app.outbox.drain()
            assert "mở lại PA-2026-000001" in province.last.text

            await tg_open(city, "📣 PA-2026-000001")
            await tg_resolve(city, "Đã lắp thêm 2 cột đèn cuối ngõ.", proof_photos=0)
            await app.outbox.drain()
            await local.command("tracuu", "PA-2026-000001")  # no longer theirs
            await city.command("tracuu", "PA-2026-000001")
            assert "🕶 ẩn danh" in province.last.text and "Đoạn cuối ngõ" in province.last.text
            await city.command("thongke")
        assert fake.errors == []

    to_others = [call for call in fake.calls if call.chat_id not in (None, xuyen.id)]
    assert len(to_others) > 30
    for call in to_others:
        seen = f"{call.params} {call.files}"
        for secret in secrets:
            assert secret not in seen, (secret, call.method, call.params)
    to_her = [call for call in fake.calls if call.chat_id == xuyen.id]
    assert all("Minh" not in str(c.params) and "Lan" not in str(c.params) for c in to_her)
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
        events = (await session.exec(select(FeedbackEvent))).all()
    assert feedback.anonymous and feedback.reporter_name is None
    assert feedback.reporter_phone is None
    assert all(e.actor_id is None for e in events if e.actor_role == "reporter")
    assert {"created", "addition", "rated", "reopened"} <= {e.kind for e in events}
