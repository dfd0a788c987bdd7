"""The privacy notice on Zalo Bot (no buttons): numbered choices, before the first personal
question."""

from __future__ import annotations

from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.support.consent import is_privacy_notice
from tests.support.consent_checks import assert_consent_stored
from tests.support.officials import FEEDBACK_QUESTIONS
from tests.zalo_bot.harness import ZaloDriver, needs_feedback, running_app


@needs_feedback
async def test_notice_before_the_first_personal_question_on_zalo_bot(settings, clock, db):
    async with FakeZaloBot() as fake:
        hoa = fake.user("2001", "Hoa")
        async with running_app(settings, clock, fake) as app:
            citizen = ZaloDriver(app, fake, hoa, auto_consent=False)
            await citizen.command("phananh")
            await citizen.pick("Hạ tầng: đường, điện, nước, chiếu sáng")
            await citizen.text("Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay.")
            notice = hoa.last.text
            assert is_privacy_notice(notice) and "1. ✅ Đồng ý" in notice
            assert "2. Không đồng ý" in notice
            assert not any(FEEDBACK_QUESTIONS["photos"] in (m.text or "") for m in hoa.inbox)
            await citizen.text("1")
            assert FEEDBACK_QUESTIONS["photos"] in hoa.last.text
    await assert_consent_stored(db, "zalo_bot", "2001")
