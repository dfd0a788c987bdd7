"""The privacy notice over Telegram: before the first personal question, with buttons."""

from __future__ import annotations

from tests.fakes.telegram_api import FakeTelegram
from tests.support.consent import is_privacy_notice
from tests.support.consent_checks import assert_consent_stored
from tests.support.officials import FEEDBACK_QUESTIONS
from tests.support.telegram_harness import TelegramDriver, running_app


async def test_notice_before_the_first_personal_question_on_telegram(settings, clock, db):
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa", language_code="vi")
        async with running_app(settings, fake, clock) as app:
            citizen = TelegramDriver(app, fake, hoa, auto_consent=False)
            await citizen.command("phananh")
            await citizen.press("Hạ tầng: đường, điện, nước, chiếu sáng")
            await citizen.text("Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay.")
            assert is_privacy_notice(hoa.last.text)
            assert hoa.last.buttons == ["✅ Đồng ý", "Không đồng ý"]
            assert not any(FEEDBACK_QUESTIONS["photos"] in (m.text or "") for m in hoa.inbox)
            await citizen.press("✅ Đồng ý")
            assert FEEDBACK_QUESTIONS["photos"] in hoa.last.text
    await assert_consent_stored(db, "telegram", "2001")
