"""The consensus consultation on Zalo Bot, where every choice is a typed number: the
residence question and the votes work the same, a number picks only what was offered, and a
spent choice typed again votes nothing."""

from __future__ import annotations

from sqlmodel import select

from storage.models import PracticeVote
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support.factories import store_recognised_practice
from tests.support.officials import HOAN_KIEM
from tests.zalo_bot.harness import ZaloDriver, running_app

TITLE = "Tổ liên gia tự quản đường Láng"


async def test_a_resident_votes_by_typing_numbers_and_the_vote_counts(settings, clock, db):
    practice_id = await store_recognised_practice(db, clock, commune=HOAN_KIEM)
    async with FakeZaloBot() as zalo:
        ba = zalo.user("7001", "Bà Tư")
        async with running_app(settings, clock, zalo) as app:
            voter = ZaloDriver(app, zalo, ba)
            await voter.command("dongthuan")
            await voter.text("hoan kiem")
            assert "Bạn có đang sống ở" in ba.last.text
            await voter.pick("🏠 Có, tôi sống ở đây")
            assert TITLE in ba.last.text
            await voter.pick("🏅 " + TITLE)
            await voter.pick("👍 Đồng thuận")
            await voter.pick("⭐⭐⭐")
            assert "Cảm ơn bạn đã đánh giá" in ba.last.text
            assert "(1 phiếu được tính)" in ba.last.text
            await voter.text("1")  # the star line typed again: spent, it votes nothing
            assert "Cảm ơn" not in ba.last.text and "Đã cập nhật" not in ba.last.text
    async with db.session() as session:
        [vote] = (await session.exec(select(PracticeVote))).all()
    assert (vote.practice_id, vote.agrees, vote.satisfaction, vote.resident_of) == (
        practice_id, True, 3, HOAN_KIEM)
