"""The privacy notice on the Zalo OA: buttons, before the first personal question."""

from __future__ import annotations

from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.support.consent import is_privacy_notice
from tests.support.consent_checks import assert_consent_stored
from tests.support.officials import FEEDBACK_QUESTIONS
from tests.zalo_oa.harness import OADriver, running_app


async def test_notice_before_the_first_personal_question_on_zalo_oa(settings, clock, db):
    async with FakeZaloOA(clock) as fake:
        hoa = fake.user("5001", "Hoa")
        async with running_app(settings, clock, fake,
                               refresh_token=fake.issue_refresh_token()) as app:
            citizen = OADriver(app, fake, hoa, auto_consent=False)
            await citizen.command("phananh")
            await citizen.press("Hạ tầng: đường, điện, nước, chiếu sáng")
            await citizen.text("Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay.")
            assert is_privacy_notice(citizen.last_text)
            assert any("Đồng ý" in title for title in hoa.last.titles)
            assert FEEDBACK_QUESTIONS["photos"] not in hoa.texts()
            await citizen.press("✅ Đồng ý")
            assert FEEDBACK_QUESTIONS["photos"] in citizen.last_text
    await assert_consent_stored(db, "zalo_oa", "5001")
