"""Which open feedback is offered before a new one is sent (handlers/duplicates.py), driven
through the engine: without a pin, the commune's feedback with a similar text; never an old,
closed, other-category or own one; one closed meanwhile cannot be followed."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Feedback, FeedbackFollower
from tests.handlers.test_feedback import send_feedback
from tests.support.chat_driver import walk
from tests.support.engine_chat import EngineChat
from tests.support.officials import Step, feedback_walk

OFFER = "Có phải vấn đề này?"
LAMP = "Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay, tối rất nguy hiểm."


def unpinned(text: str = LAMP, category: str = "Hạ tầng: đường, điện, nước, chiếu sáng"
             ) -> list[Step]:
    """A feedback in Hoàn Kiếm without a map pin."""
    steps = feedback_walk(photos=0)
    steps[0] = Step("category", "press", category)
    steps[1] = Step("text", "text", text)
    return [Step("location", "press", "Bỏ qua (không có GPS)") if s.field == "location" else s
            for s in steps]


async def walk_to_summary(chat: EngineChat, steps: list[Step]) -> None:
    await chat.command("phananh")
    await walk(chat, steps)


async def stored(db):  # noqa: ANN001, ANN201
    async with db.session() as session:
        return ((await session.exec(select(Feedback).order_by(Feedback.id))).all(),
                (await session.exec(select(FeedbackFollower))).all())


async def test_without_a_pin_a_similar_text_in_the_commune_is_offered(make_chat, db):
    await send_feedback(make_chat(2001, "Hoa"), unpinned())
    lan = make_chat(1001, "Lan")
    await walk_to_summary(lan, unpinned("Đèn đường ở ngõ 12 Hàng Bạc bị hỏng, buổi tối tối om"))
    await lan.press("Gửi")
    assert OFFER in lan.last.text
    assert "cùng Phường Hoàn Kiếm" in lan.last.text and "PA-2026-000001" in lan.last.text
    await lan.press("Đúng, theo dõi phản ánh này")
    feedback, [follower] = await stored(db)
    assert len(feedback) == 1 and follower.feedback_id == feedback[0].id
    await lan.command("tracuu")
    assert "Phản ánh bạn đang theo dõi (1)" in lan.last.text
    assert "PA-2026-000001" in lan.last.text and "Phản ánh của bạn" not in lan.last.text
    await lan.press("PA-2026-000001")
    assert "Bạn đang theo dõi phản ánh này" in lan.last.text
    await lan.press_raw("a", "fb_add:1")  # only its sender may add to it
    assert "⛔" in lan.last.text


async def test_a_different_text_or_category_is_not_offered(make_chat, db):
    await send_feedback(make_chat(2001, "Hoa"), unpinned())
    lan = make_chat(1001, "Lan")
    await send_feedback(lan, unpinned("Rác thải đổ trộm ở bãi đất trống cạnh chợ Hàng Bè"))
    assert OFFER not in lan.last.text and "PA-2026-000002" in lan.last.text
    await send_feedback(lan, unpinned(category="Môi trường, vệ sinh"))
    assert OFFER not in lan.last.text and "PA-2026-000003" in lan.last.text
    feedback, followers = await stored(db)
    assert len(feedback) == 3 and followers == []


async def test_a_feedback_older_than_thirty_days_is_not_offered(make_chat, db, clock):
    await send_feedback(make_chat(2001, "Hoa"), feedback_walk(photos=0))
    clock.advance(days=29)
    tu = make_chat(1002, "Tú")
    await walk_to_summary(tu, feedback_walk(photos=0))
    await tu.press("Gửi")
    assert OFFER in tu.last.text
    await tu.command("huy")
    await tu.text("có")
    clock.advance(days=2)
    assert OFFER not in await send_feedback(tu, feedback_walk(photos=0))


async def test_ones_own_feedback_is_not_offered(make_chat, db):
    hoa = make_chat(2001, "Hoa")
    await send_feedback(hoa, feedback_walk(photos=0))
    said = await send_feedback(hoa, feedback_walk(photos=0))
    assert OFFER not in said and "PA-2026-000002" in said


async def test_one_closed_meanwhile_cannot_be_followed(make_chat, db):
    await send_feedback(make_chat(2001, "Hoa"), feedback_walk(photos=0))
    lan = make_chat(1001, "Lan")
    await walk_to_summary(lan, feedback_walk(photos=0))
    await lan.press("Gửi")
    assert OFFER in lan.last.text
    async with db.session() as session:
        first = (await session.exec(select(Feedback))).one()
        first.status = "resolved"
        session.add(first)
        await session.commit()
    await lan.press("Đúng, theo dõi phản ánh này")
    assert "PA-2026-000001 vừa được đóng" in lan.last.text
    assert [o.value for o in lan.last.options] == ["__confirm__", "__edit__"]  # the summary
    await lan.press("Gửi")
    assert "PA-2026-000002" in lan.last.text
    feedback, followers = await stored(db)
    assert len(feedback) == 2 and followers == []


async def test_back_from_the_offer_returns_to_the_summary(make_chat, db):
    await send_feedback(make_chat(2001, "Hoa"), feedback_walk(photos=0))
    lan = make_chat(1001, "Lan")
    await walk_to_summary(lan, feedback_walk(photos=0))
    await lan.press("Gửi")
    await lan.command("quaylai")
    assert OFFER not in lan.last.text and "Đèn đường ngõ 12" in lan.last.text
    await lan.text("hello")  # a wrong answer on the offer is asked again
    await lan.press("Gửi")
    await lan.text("xin chào")
    assert OFFER in lan.last.text and "⚠️" in lan.last.text
