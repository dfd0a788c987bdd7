"""The privacy notice comes before the first personal question of any form; consent is
recorded per person with its version, time and channel; declining keeps anonymous feedback
open; /quyenriengtu shows the whole notice and lets a person withdraw."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Consent, Feedback, FeedbackPhoto, Practice
from tests.support.chat_driver import walk
from tests.support.consent import is_privacy_notice
from tests.support.consent_checks import assert_consent_stored, consents_of
from tests.support.officials import FEEDBACK_QUESTIONS, KEEP_PRIVATE, feedback_walk


async def start_feedback_until_the_notice(chat) -> None:  # noqa: ANN001
    chat.auto_consent = False
    await chat.command("phananh")
    await chat.press("Hạ tầng: đường, điện, nước, chiếu sáng")
    await chat.text("Đèn đường ngõ 12 phố Hàng Bạc hỏng hai tuần nay.")


async def test_the_notice_comes_before_the_first_photo_and_is_asked_once(make_chat, db, clock):
    chat = make_chat(2001, "Hoa")
    await start_feedback_until_the_notice(chat)
    notice = chat.last
    assert is_privacy_notice(notice.text) and "(bản 2026-12)" in notice.text
    assert "/xoadulieu" in notice.text and "365 ngày" in notice.text
    assert len(notice.text.splitlines()) <= 6
    assert [o.label for o in notice.options] == ["✅ Đồng ý", "Không đồng ý"]
    assert not any(FEEDBACK_QUESTIONS["photos"] in r.text for r in chat.transcript)
    async with db.session() as session:
        assert (await session.exec(select(Consent))).all() == []

    await chat.press("Đồng ý")
    assert "Cảm ơn bạn đã đồng ý" in chat.last.text
    assert FEEDBACK_QUESTIONS["photos"] in chat.last.text
    await assert_consent_stored(db, "telegram", "2001")
    async with db.session() as session:
        [row] = (await session.exec(select(Consent))).all()
    assert row.at.replace(tzinfo=None) == clock.now().replace(tzinfo=None)

    await walk(chat, feedback_walk(photos=1)[2:])
    await chat.press("Gửi")
    before = len(chat.transcript)
    await start_feedback_until_the_notice(chat)  # a second feedback: no notice again
    assert not any(is_privacy_notice(r.text) for r in chat.transcript[before:])
    assert FEEDBACK_QUESTIONS["photos"] in chat.last.text


async def test_declining_sends_anonymous_feedback_without_photos_or_place(make_chat, db):
    chat = make_chat(2002, "Nam")
    await start_feedback_until_the_notice(chat)
    await chat.press("Không đồng ý")
    assert "ẩn danh" in chat.last.text and FEEDBACK_QUESTIONS["commune"] in chat.last.text
    await chat.text("hoan kiem")
    assert FEEDBACK_QUESTIONS["publish"] in chat.last.text  # content, not personal: still asked
    await chat.press(KEEP_PRIVATE)
    summary = chat.last.text
    assert "Gửi ẩn danh" in summary
    await chat.press("Gửi")
    assert "PA-2026-000001" in chat.last.text
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback))).one()
        photos = (await session.exec(select(FeedbackPhoto))).all()
    assert feedback.anonymous and feedback.reporter_name is None
    assert (feedback.latitude, feedback.longitude, feedback.reporter_phone) == (None, None, None)
    assert photos == []
    person, rows = await consents_of(db, "telegram", "2002")
    assert person.consent_version is None and rows == [("2026-12", "declined", "telegram")]


async def test_declining_a_practice_explains_and_stores_nothing(make_chat, db):
    chat = make_chat(2003, "Lan")
    chat.auto_consent = False
    await chat.command("mohinh")
    await chat.press("Tập thể")
    await chat.press("Thôn")
    assert is_privacy_notice(chat.last.text)  # the name comes next
    await chat.text("có lẽ")  # not an answer: the notice again, with a hint
    assert chat.last.text.startswith("⚠️") and is_privacy_notice(chat.last.text)
    await chat.press("Không đồng ý")
    assert "không thể gửi mô hình" in chat.last.text and "/phananh" in chat.last.text
    await chat.text("Thôn Đông")  # no form any more: the menu
    assert "Bạn muốn làm gì?" in chat.last.text
    async with db.session() as session:
        assert (await session.exec(select(Practice))).all() == []


async def test_privacy_command_shows_the_notice_and_consent_can_be_withdrawn(make_chat, db):
    chat = make_chat(2004, "Hà")
    await chat.command("quyenriengtu")
    full = chat.last.text
    assert "Quyền riêng tư và dữ liệu cá nhân (bản 2026-12)" in full
    assert "Bạn chưa đồng ý" in full and "Luật Bảo vệ dữ liệu cá nhân" in full
    await chat.press("Đồng ý")
    assert "Cảm ơn bạn đã đồng ý" in chat.last.text
    await chat.command("privacy")
    assert "Bạn đã đồng ý với bản 2026-12" in chat.last.text
    await chat.press("Rút lại sự đồng ý")
    assert "Đã rút lại sự đồng ý" in chat.last.text
    person, rows = await consents_of(db, "telegram", "2004")
    assert person.consent_version is None
    assert [d for _, d, _ in rows] == ["given", "withdrawn"]
    await start_feedback_until_the_notice(chat)  # withdrawn: asked again
    assert is_privacy_notice(chat.last.text)


async def test_notice_in_english(make_chat, db):
    chat = make_chat(2005, "Ann")
    await chat.command("ngonngu")
    await chat.press("English")
    chat.auto_consent = False
    await chat.command("feedback")
    await chat.press_raw(chat.last.token, chat.last.options[0].value)
    await chat.text("The street light in lane 12 has been broken for two weeks.")
    assert "🔒 Before you go on, please read (version 2026-12)" in chat.last.text
    assert [o.label for o in chat.last.options] == ["✅ I agree", "I do not agree"]
