"""`/gop <duplicate> <survivor>`: an official merges feedback the search did not offer (here of
another category), after the same confirmation and jurisdiction checks as from the card; a
citizen, an official elsewhere and malformed codes are refused, and nothing changes."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Feedback, FeedbackFollower
from tests.handlers.test_feedback import send_feedback
from tests.officials.test_officials import official
from tests.support.officials import BEN_THANH, Step, feedback_walk


async def stored(db):  # noqa: ANN001, ANN201
    async with db.session() as session:
        return ((await session.exec(select(Feedback).order_by(Feedback.id))).all(),
                (await session.exec(select(FeedbackFollower))).all())


async def test_an_official_merges_by_codes_after_confirming(make_chat, db, clock):
    await send_feedback(make_chat(2001, "Hoa"), feedback_walk(photos=0))
    tu = make_chat(2002, "Tú")
    other_category = feedback_walk(photos=0)
    other_category[0] = Step("category", "press", "Môi trường, vệ sinh")
    assert "PA-2026-000002" in await send_feedback(tu, other_category)  # nothing offered
    minh = await official(make_chat, db, clock)
    khoa = await official(make_chat, db, clock, user_id=3002, unit=BEN_THANH, name="Khoa")

    await tu.command("gop", "PA-2026-000002 PA-2026-000001")
    assert "PA-2026-000002" not in tu.last.text  # not a citizen's command
    await khoa.command("gop", "PA-2026-000002 PA-2026-000001")
    assert khoa.last.text.startswith("⛔")
    await minh.command("gop", "PA-2026-000002")
    assert "Gõ /gop <mã phản ánh trùng> <mã phản ánh giữ lại>" in minh.last.text
    await minh.command("gop", "PA-2026-000002 PA-2026-000099")
    assert minh.last.text.startswith("⛔")
    feedback, followers = await stored(db)
    assert [f.status for f in feedback] == ["new", "new"] and followers == []

    await minh.command("gop", "pa-2026-2 PA-2026-000001")
    assert "Gộp PA-2026-000002 vào PA-2026-000001?" in minh.last.text
    await minh.press("Gộp")
    assert "Đã gộp PA-2026-000002 vào PA-2026-000001" in minh.last.text
    assert "👥 2 người cùng phản ánh" in minh.last.text
    feedback, [follower] = await stored(db)
    assert (feedback[1].status, feedback[1].merged_into_id) == ("merged", 1)
    assert (follower.feedback_id, follower.person_id, follower.via) == (
        1, feedback[1].reporter_id, "merge")
