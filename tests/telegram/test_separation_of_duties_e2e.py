"""Separation of duties over Telegram: an official who submitted a practice, or sent a
feedback, may open it but not decide or answer it. They are told why, the refusal is logged,
and nothing changes in the database."""

from __future__ import annotations

import logging
import re

import aiohttp
import pytest
from sqlmodel import select

from handlers.i18n import Translator
from storage.models import Feedback, FeedbackEvent, Practice, PracticeEvent, Recognition
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.officials import (
    HOAN_KIEM,
    THANH_XUAN,
    feedback_walk,
    tg_become_official,
    tg_send_feedback,
)
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app
from tests.web.chat_client import WebChat, WebChatClient

T = Translator("vi")


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


def refusals(caplog, reason: str) -> list[logging.LogRecord]:  # noqa: ANN001
    return [r for r in caplog.records
            if r.getMessage() == "official action refused" and r.reason == reason]


async def test_an_official_cannot_decide_a_practice_they_submitted(fast_settings, clock, db,
                                                                   caplog):
    async with FakeTelegram() as fake:
        tuan = fake.user(3101, first_name="Tuấn")
        async with running_app(fast_settings, fake, clock) as app:
            official = TelegramDriver(app, fake, tuan)
            await tg_become_official(official, db, clock, unit=THANH_XUAN)
            await official.command("mohinh")
            await walk(TelegramChat(official, albums=False), COMPLETE_PRACTICE)
            await official.press("✅ Gửi")
            assert "MH-2026-000001" in tuan.last.text

            await official.command("hopthu")
            await official.press("📝 MH-2026-000001")  # opening it is allowed
            assert "Rõ sản phẩm" in tuan.last.text
            await official.press(T("pract.approve"))
            assert tuan.last.text == "⛔ " + T("officials.refused.own_practice")
            await official.press(T("pract.reject"))
            assert tuan.last.text == "⛔ " + T("officials.refused.own_practice")

    async with db.session() as session:
        [practice] = (await session.exec(select(Practice))).all()
        assert practice.status == "submitted"
        assert (await session.exec(select(PracticeEvent))).all() == []
        assert (await session.exec(select(Recognition))).all() == []
    logged = refusals(caplog, "own_item")
    assert [r.action for r in logged] == ["pr_ok", "pr_reject"]
    assert all(r.item == "practice" and r.item_id == practice.id for r in logged)
    assert all("Tuấn" not in str(r.__dict__) for r in logged)


async def test_an_official_cannot_answer_feedback_they_sent(fast_settings, clock, db, caplog):
    async with FakeTelegram() as fake:
        minh = fake.user(3102, first_name="Minh")
        async with running_app(fast_settings, fake, clock) as app:
            official = TelegramDriver(app, fake, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            code = await tg_send_feedback(official, feedback_walk(photos=0))

            await official.command("hopthu")
            await official.press(f"📣 {code}")  # opening it is allowed
            assert "Đèn đường ngõ 12" in minh.last.text
            for button in (T("fbact.reply"), T("fbact.ack"), T("fbact.status")):
                await official.press(button)
                assert minh.last.text == "⛔ " + T("officials.refused.own_feedback"), button

    async with db.session() as session:
        [feedback] = (await session.exec(select(Feedback))).all()
        assert feedback.status == "new" and feedback.first_answered_at is None
        events = (await session.exec(select(FeedbackEvent))).all()
        assert all(e.actor_role != "official" for e in events)
    assert [r.action for r in refusals(caplog, "own_item")] == ["fb_reply", "fb_ack",
                                                                "fb_status"]


async def test_feedback_sent_from_a_linked_account_cannot_be_answered_either(fast_settings,
                                                                            clock, db, caplog):
    """Minh sends feedback from the web chat, then links that chat to his official Telegram
    account (/lienket): it is his own feedback now, on every app."""
    async with FakeTelegram() as fake:
        minh = fake.user(3103, first_name="Minh")
        async with running_app(fast_settings, fake, clock) as app, aiohttp.ClientSession(
                base_url=app.web.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            official = TelegramDriver(app, fake, minh)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            web = WebChatClient(browser)
            await web.start()
            await web.text("/phananh")
            await walk(WebChat(web), feedback_walk(photos=0))
            await web.press("✅ Gửi")
            code = re.search(r"PA-\d{4}-\d{6}", web.last.text).group(0)

            before = len(minh.inbox)
            await official.command("lienket")
            # the code's own message: the outbox's notice of the new feedback may come after
            # it, and a feedback code (PA-2026-000001) is no link code
            link = next(found.group(0) for message in reversed(minh.inbox[before:])
                        if (found := re.search(r"(?<![-\w])[A-Z0-9]{4}-[A-Z0-9]{4}(?![-\w])",
                                               message.text or "")))
            await web.text(f"/lienket {link}")
            assert "Đã liên kết" in web.last.text

            await official.command("hopthu")
            await official.press(f"📣 {code}")
            await official.press(T("fbact.reply"))
            assert minh.last.text == "⛔ " + T("officials.refused.own_feedback")

    async with db.session() as session:
        [feedback] = (await session.exec(select(Feedback))).all()
        assert feedback.status == "new" and feedback.first_answered_at is None
    assert [r.action for r in refusals(caplog, "own_item")] == ["fb_reply"]
