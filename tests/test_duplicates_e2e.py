"""Duplicate feedback, end to end on every channel (Telegram, Zalo Bot, Zalo OA, the web chat,
each over its real adapter): a second feedback 50 m from an open one offers it before it is
sent; choosing it makes the second citizen a follower, sends nothing new, and the follower is
told when the officials resolve it, without ever learning who sent it. Sending anyway still
works, and a pin beyond DUPLICATE_RADIUS_M offers nothing."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Conversation, Feedback, FeedbackFollower
from tests.handlers.test_feedback import send_feedback
from tests.officials.test_officials import official
from tests.support.channels import channel_chat
from tests.support.chat_driver import walk
from tests.support.officials import HOAN_KIEM_PIN, feedback_walk

__all__ = ["channel_chat"]  # the fixture, parametrised over the channels

FIFTY_METRES_NORTH = (HOAN_KIEM_PIN[0] + 50 / 111_320, HOAN_KIEM_PIN[1])
FAR_AWAY = (HOAN_KIEM_PIN[0] + 400 / 111_320, HOAN_KIEM_PIN[1])  # same commune, 400 m off
SENDER = ("Nguyễn Thị Hoa", "0912345678", "+84912345678")


async def hoa_reported_the_lamp(make_chat, db, clock):  # noqa: ANN001, ANN201
    """Hoa's named feedback with her phone (PA-2026-000001), and the commune's official."""
    hoa = make_chat(2001, SENDER[0], channel="web")
    said = await send_feedback(hoa, feedback_walk(anonymous=False, phone=SENDER[1], photos=0))
    assert "PA-2026-000001" in said, said
    minh = await official(make_chat, db, clock)
    return hoa, minh


async def stored(db):  # noqa: ANN001, ANN201
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback).order_by(Feedback.id))).all()
        followers = (await session.exec(select(FeedbackFollower))).all()
        conversations = (await session.exec(select(Conversation))).all()
    return feedback, followers, conversations


async def test_a_second_feedback_nearby_offers_the_open_one_and_following_it_is_notified(
        channel_chat, make_chat, db, clock):
    _, minh = await hoa_reported_the_lamp(make_chat, db, clock)
    async with channel_chat() as chat:
        await chat.open_menu()
        await chat.press("Gửi phản ánh")
        await walk(chat, feedback_walk(photos=0, pin=FIFTY_METRES_NORTH))
        await chat.press("Gửi")
        offer = chat.last_text
        assert "Có phải vấn đề này?" in offer
        assert "PA-2026-000001 — Đèn đường ngõ 12 phố Hàng Bạc hỏng" in offer
        assert "cách khoảng 50 m" in offer and "Hạ tầng" in offer
        assert not any(secret in offer for secret in SENDER)  # never who sent it
        await chat.press("Đúng, theo dõi phản ánh này")
        following = chat.last_text
        assert "Bạn đang theo dõi phản ánh PA-2026-000001" in following
        assert "không có phản ánh mới nào được gửi" in following

        feedback, followers, _ = await stored(db)
        assert [f.code for f in feedback] == ["PA-2026-000001"]  # nothing new was created
        [follower] = followers
        assert (follower.feedback_id, follower.via) == (feedback[0].id, "offer")
        assert follower.person_id not in (None, feedback[0].reporter_id)

        await minh.press_raw("a", "fb_open:1")
        assert "👥 2 người cùng phản ánh" in minh.last.text
        await minh.press_raw("a", "fb_resolve:1")
        await minh.text("Đã thay bóng đèn mới ngày 2/12.")
        await minh.press("Không có ảnh (nêu lý do)")
        await minh.text("Xử lý qua điện thoại.")
        await minh.press("Gửi")
        assert "Đã ghi nhận giải quyết xong" in minh.last.text, minh.last.text

        told = "\n".join(await chat.notices())
        assert "Phản ánh PA-2026-000001 bạn đang theo dõi" in told
        assert "Đã giải quyết" in told and "Đã thay bóng đèn mới ngày 2/12." in told
        assert not any(secret in told for secret in SENDER)

        await chat.text("/tracuu PA-2026-000001")
        view = chat.last_text
        assert "Bạn đang theo dõi phản ánh này" in view and "Đã giải quyết" in view
        assert not any(secret in view for secret in SENDER)
    _, _, conversations = await stored(db)
    assert all(c.flow is None for c in conversations)  # the draft was discarded


async def test_sending_anyway_creates_the_second_feedback(channel_chat, make_chat, db, clock):
    await hoa_reported_the_lamp(make_chat, db, clock)
    async with channel_chat() as chat:
        await chat.open_menu()
        await chat.press("Gửi phản ánh")
        await walk(chat, feedback_walk(photos=0, pin=FIFTY_METRES_NORTH))
        await chat.press("Gửi")
        assert "Có phải vấn đề này?" in chat.last_text
        await chat.press("Không, gửi phản ánh mới")
        assert "PA-2026-000002" in chat.last_text
    feedback, followers, _ = await stored(db)
    assert [f.code for f in feedback] == ["PA-2026-000001", "PA-2026-000002"]
    assert followers == []


async def test_a_pin_beyond_the_radius_offers_nothing(channel_chat, make_chat, db, clock):
    await hoa_reported_the_lamp(make_chat, db, clock)
    async with channel_chat() as chat:
        await chat.open_menu()
        await chat.press("Gửi phản ánh")
        await walk(chat, feedback_walk(photos=0, pin=FAR_AWAY))
        await chat.press("Gửi")
        assert "PA-2026-000002" in chat.last_text
        assert "Có phải vấn đề này?" not in chat.last_text
