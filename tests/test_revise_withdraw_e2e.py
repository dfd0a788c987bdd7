"""A submitter reads back all they sent, revises a rejected practice and sends it again under
the same code, and withdraws one that awaits review; on every channel (the real adapters against
their fakes over HTTP, the web chat against the real server). Officials hear of a resubmission
as of a new practice, the history keeps every step, and only the submitter may revise or
withdraw (forged buttons are refused, over Telegram)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from storage.models import OutboxMessage, Practice, PracticeEvent
from tests.fakes.telegram_api import FakeTelegram
from tests.support.channels import channel_people
from tests.support.chat_driver import ChatDriver, walk
from tests.support.factories import make_invite
from tests.support.officials import THANH_XUAN
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app

__all__ = ["channel_people"]  # the fixture, parametrised over the channels

CODE = "MH-2026-000001"
REASON = "Chưa rõ kết quả: cần số liệu cụ thể."
LINK_CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
NEW_RESULTS = "Trong 6 tháng không còn vụ trộm; 120 hộ cam kết giữ an ninh."


async def submit(chat: ChatDriver) -> None:
    await chat.open_menu()
    await chat.press("Gửi mô hình")
    await walk(chat, COMPLETE_PRACTICE)
    await chat.press("Gửi")
    assert CODE in chat.last_text, chat.last_text


async def become_official(chat: ChatDriver, db, clock) -> None:  # noqa: ANN001
    await chat.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
    assert "Chào mừng" in chat.last_text, chat.last_text


async def events(db) -> list[tuple[str, str | None, list[str]]]:  # noqa: ANN001
    async with db.session() as session:
        rows = (await session.exec(select(PracticeEvent).order_by(col(PracticeEvent.id)))).all()
    return [(e.kind, e.to_status, list(e.field_names)) for e in rows]


async def stored(db) -> Practice:  # noqa: ANN001
    async with db.session() as session:
        return (await session.exec(select(Practice))).one()


async def test_a_rejected_practice_is_read_back_revised_and_resubmitted_under_its_code(
        channel_people, db, clock):  # noqa: ANN001
    async with channel_people() as person:
        minh, lan = person("Minh"), person("Lan")
        await become_official(minh, db, clock)
        await submit(lan)
        await person.settle()  # the notice to Minh, before anyone acts

        await lan.command("cuatoi")  # one practice: shown in full, not only its status
        mine = lan.last_text
        assert "📄 Nội dung đã gửi:" in mine and "Đã gửi, chờ xem xét" in mine
        for shown in ("Mỗi tối các hộ thay nhau đánh kẻng nhắc đóng cửa, tắt bếp.",
                      "Rõ thẩm quyền: Đảng uỷ xã kiểm tra hằng quý",
                      "15.000.000 đồng (mười lăm triệu đồng)", "Số tổ chức tham gia: 4",
                      "Tổ dân phố số 5"):
            assert shown in mine, shown

        await minh.command("tracuu", CODE)
        await minh.press("❌ Không duyệt (kèm lý do)")
        await minh.text(REASON)
        await minh.press("Gửi")
        assert "Đã gửi lý do không duyệt" in minh.last_text, minh.last_text
        await person.settle()  # the notice to Lan

        await lan.command("tracuu", CODE)
        assert "Không được duyệt" in lan.last_text and REASON in lan.last_text
        assert "Kết quả: Thôn được công nhận an toàn" in lan.last_text
        await lan.press("✏️ Sửa và gửi lại")
        assert f"Sửa và gửi lại mô hình {CODE}" in lan.last_text
        assert f"Lý do không duyệt: {REASON}" in lan.last_text
        assert "Kiểm tra lại mô hình" in lan.last_text  # every answer kept, nothing re-asked
        await lan.press("✏️ Sửa")
        await lan.press("Kết quả")
        assert "Kết quả đạt được" in lan.last_text
        await lan.text(NEW_RESULTS)
        assert NEW_RESULTS in lan.last_text and "Kiểm tra lại mô hình" in lan.last_text
        await lan.press("Gửi")
        assert f"Đã gửi lại mô hình {CODE}" in lan.last_text, lan.last_text
        await person.settle()  # the resubmission's notice to Minh

        await minh.command("tracuu", CODE)
        card = minh.last_text
        assert NEW_RESULTS in card and "Đã gửi, chờ xem xét" in card
        assert "đã sửa và gửi lại (Kết quả)" in card and "không duyệt" in card
        await minh.press("👍 Duyệt")
        assert "Đã duyệt" in minh.last_text, minh.last_text

    practice = await stored(db)
    assert practice.code == CODE and practice.status == "approved"
    assert practice.results == NEW_RESULTS and practice.answers["results"] == NEW_RESULTS
    assert await events(db) == [("rejected", "rejected", []),
                                ("resubmitted", "submitted", ["results"]),
                                ("approved", "approved", [])]
    async with db.session() as session:
        keys = [m.idempotency_key for m in (await session.exec(select(OutboxMessage))).all()]
    assert any(key.startswith(f"pr:{practice.id}:new:") for key in keys)
    assert any(key.startswith(f"pr:{practice.id}:resubmitted:") for key in keys), keys


async def test_a_pending_practice_is_withdrawn_then_sent_again(
        channel_people, db, clock):  # noqa: ANN001
    async with channel_people() as person:
        minh, lan = person("Minh"), person("Lan")
        await become_official(minh, db, clock)
        await submit(lan)
        await person.settle()  # the notice to Minh, before anyone acts
        await lan.command("tracuu", CODE)
        await lan.press("↩️ Rút lại")
        assert f"Rút lại mô hình {CODE}?" in lan.last_text
        await lan.press("Không, giữ nguyên")
        assert "Đã gửi, chờ xem xét" in lan.last_text
        assert (await stored(db)).status == "submitted"
        await lan.press("↩️ Rút lại")
        await lan.press("↩️ Rút lại")
        assert f"Đã rút lại mô hình {CODE}" in lan.last_text
        assert "Trạng thái: Đã rút lại" in lan.last_text
        assert (await stored(db)).status == "withdrawn"

        await minh.command("tracuu", CODE)  # the official sees it withdrawn, cannot approve
        assert "Đã rút lại" in minh.last_text and "rút lại mô hình" in minh.last_text

        await lan.command("tracuu", CODE)
        await lan.press("✏️ Sửa và gửi lại")
        await lan.press("Gửi")
        assert f"Đã gửi lại mô hình {CODE}" in lan.last_text
    assert (await stored(db)).status == "submitted"
    assert await events(db) == [("withdrawn", "withdrawn", []),
                                ("resubmitted", "submitted", [])]


@pytest.fixture
def fast_settings(settings):  # noqa: ANN001
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def test_only_the_submitter_may_withdraw_or_revise(fast_settings, clock, db):  # noqa: ANN001
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        lan = TelegramChat(TelegramDriver(app, fake, fake.user(2001, first_name="Lan")))
        hoa = TelegramDriver(app, fake, fake.user(2002, first_name="Hoa"))
        minh = TelegramDriver(app, fake, fake.user(3001, first_name="Minh"))
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
        await submit(lan)
        practice = await stored(db)
        await hoa.command("start")
        for forged_by in (hoa, minh):  # another citizen; the official reviewing it
            for payload in (f"a:pr_withdraw:{practice.id}", f"a:pr_withdraw_ok:{practice.id}",
                            f"a:pr_revise:{practice.id}"):
                await forged_by.press_data(payload)
                assert forged_by.last.text.startswith("⛔"), (payload, forged_by.last.text)
        assert (await stored(db)).status == "submitted"
        await hoa.command("cuatoi")
        assert "Bạn chưa gửi mô hình nào" in hoa.last.text  # nobody else's content

        await lan.command("tracuu", CODE)  # pending: revising is not offered, and refused
        await lan.driver.press_data(f"a:pr_revise:{practice.id}")
        assert "không cần sửa lúc này" in lan.driver.last.text
    assert await events(db) == []
    assert (await stored(db)).status == "submitted"


async def test_a_linked_account_of_the_submitter_may_withdraw(fast_settings, clock, db):  # noqa: ANN001
    """Linked accounts are one person (handlers/linking.py): the practice is theirs on both."""
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        lan = TelegramChat(TelegramDriver(app, fake, fake.user(2001, first_name="Lan")))
        lan_phone = TelegramChat(TelegramDriver(app, fake, fake.user(2003, first_name="Lan")))
        await submit(lan)
        await lan_phone.command("lienket")
        code = LINK_CODE.search(lan_phone.last_text).group(0)
        await lan.command("lienket", code)
        assert "Đã liên kết" in lan.last_text, lan.last_text
        await lan_phone.command("tracuu", CODE)
        assert "📄 Nội dung đã gửi:" in lan_phone.last_text
        await lan_phone.press("↩️ Rút lại")
        await lan_phone.press("↩️ Rút lại")
        assert f"Đã rút lại mô hình {CODE}" in lan_phone.last_text
    assert (await stored(db)).status == "withdrawn"


async def test_a_practice_sent_before_a_question_existed_is_asked_it_when_revised(
        fast_settings, clock, db):  # noqa: ANN001
    """Practices sent before organisations were asked apart lack that answer: revising asks
    it first, then shows the summary, and stores it."""
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        lan = TelegramChat(TelegramDriver(app, fake, fake.user(2001, first_name="Lan")))
        await submit(lan)
        await lan.command("tracuu", CODE)
        await lan.press("↩️ Rút lại")
        await lan.press("↩️ Rút lại")
        async with db.session() as session:  # as sent before migration 0024
            practice = (await session.exec(select(Practice))).one()
            practice.answers = {k: v for k, v in practice.answers.items()
                                if k != "organisations_taking_part"}
            practice.organisations_taking_part = None
            session.add(practice)
            await session.commit()
        await lan.command("tracuu", CODE)
        await lan.press("✏️ Sửa và gửi lại")
        assert "bao nhiêu tổ chức" in lan.last_text, lan.last_text
        await lan.text("3")
        summary = lan.last_text
        assert "Kiểm tra lại mô hình" in summary and "Số tổ chức tham gia: 3" in summary
        await lan.press("Gửi")
        assert f"Đã gửi lại mô hình {CODE}" in lan.last_text
    practice = await stored(db)
    assert practice.organisations_taking_part == 3 and practice.status == "submitted"
    assert await events(db) == [("withdrawn", "withdrawn", []),
                                ("resubmitted", "submitted", ["organisations_taking_part"])]
