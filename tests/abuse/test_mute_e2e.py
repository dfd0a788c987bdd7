"""Muting an abusive sender, on every channel (tests/support/channels.py: the real adapters
against their fakes over HTTP, the web chat against the real server): the official sees the
spam warnings on the card, mutes the anonymous sender for some days with a reason (asked step
by step, a bad answer asked again), and lifts it; the sender is told once, in neutral words,
cannot send new feedback meanwhile, keeps their draft, can still follow what they sent, and
is free again when the days are over (the clock is moved, never slept on)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from storage.models import AccountMute, AuditEntry, Feedback, FeedbackFlag, Person
from tests.support.channels import channel_people
from tests.support.chat_driver import ChatDriver, walk
from tests.support.factories import make_invite
from tests.support.officials import HOAN_KIEM, Step, feedback_walk

__all__ = ["channel_people"]  # the fixture, parametrised over the channels

SPAM = "Nhận quà tri ân tại bit.ly/qua-tang-2026 ngay, đéo nhận là mất!"
REASON = "Gửi liên kết lừa đảo nhiều lần."


async def become_official(chat: ChatDriver, db, clock) -> None:  # noqa: ANN001
    await chat.command("moi", await make_invite(db, clock, unit=HOAN_KIEM))
    assert "Chào mừng" in chat.last_text, chat.last_text


def spam_walk(text: str) -> list[Step]:
    steps = feedback_walk(anonymous=True, photos=0)
    return [Step("text", "text", text) if s.field == "text" else s for s in steps]


async def send_feedback(chat: ChatDriver, text: str = SPAM) -> str:
    await chat.command("phananh")
    await walk(chat, spam_walk(text))
    await chat.press("Gửi")
    found = re.search(r"PA-\d{4}-\d{6}", chat.last_text)
    assert found, chat.last_text
    return found.group(0)


async def test_an_official_mutes_an_anonymous_sender_who_is_told_and_can_still_track_it(
        channel_people, db, clock):  # noqa: ANN001
    async with channel_people() as person:
        minh, hoa = person("Minh"), person("Hoa")
        await become_official(minh, db, clock)
        code = await send_feedback(hoa)
        await person.settle()  # the notice to Minh, before he acts

        await minh.command("hopthu")  # the inbox warns before the card is opened
        assert "⚠️ Có thể là spam: có liên kết rút gọn (bit.ly)" in minh.last_text
        await minh.command("tracuu", code)
        card = minh.last_text
        assert "⚠️ Có thể là spam: có liên kết rút gọn (bit.ly)" in card
        assert "⚠️ Có từ ngữ thô tục" in card
        assert "Hoa" not in card  # anonymous, muted or not
        await minh.press("🔇 Tạm chặn")
        assert "Tạm chặn trong bao nhiêu ngày?" in minh.last_text
        await minh.text("365")  # too long: said so, and asked again
        assert "90" in minh.last_text and "Tạm chặn trong bao nhiêu ngày?" in minh.last_text
        await minh.text("7")
        assert "Lý do tạm chặn" in minh.last_text
        await minh.text(REASON)
        assert "Kiểm tra lại trước khi tạm chặn" in minh.last_text
        await minh.press("Gửi")
        card = minh.last_text
        assert f"Đã tạm chặn người gửi phản ánh {code} trong 7 ngày, đến 07/12/2026 09:00" \
            in card
        assert "🔇 Người gửi đang bị tạm chặn đến 07/12/2026 09:00" in card
        assert "Hoa" not in card

        async with db.session() as session:
            feedback = (await session.exec(select(Feedback))).one()
            [mute] = (await session.exec(select(AccountMute))).all()
            sender = await session.get(Person, feedback.reporter_id)
            official = (await session.exec(select(Person).where(
                Person.role == "official"))).one()
            [entry] = (await session.exec(select(AuditEntry).where(
                AuditEntry.action == "account.mute"))).all()
            flags = (await session.exec(select(FeedbackFlag))).all()
        assert (mute.person_id, mute.feedback_id, mute.muted_by, mute.reason) == (
            feedback.reporter_id, feedback.id, official.id, REASON)
        assert mute.ends_at - mute.starts_at == timedelta(days=7)
        assert sender.muted_until == mute.ends_at
        assert (entry.actor_id, entry.record_kind, entry.record_id, entry.record_code,
                entry.detail) == (official.id, "mute", mute.id, code, "days=7")
        assert sorted(f.kind for f in flags) == ["profanity", "shortener"]

        await hoa.text("xin chào")  # told once, in neutral words, without the reason
        told = hoa.last_text
        assert "tạm thời chưa gửi được phản ánh mới, đến 07/12/2026 09:00" in told
        assert "bit.ly" not in told and "lừa đảo" not in told
        await hoa.text("xin chào")
        assert "tạm thời chưa gửi được" not in hoa.last_text  # not again
        await hoa.command("phananh")
        assert "Bạn tạm thời chưa gửi được phản ánh mới, đến 07/12/2026 09:00" \
            in hoa.last_text
        await hoa.command("tracuu", code)  # following what they sent still works
        assert code in hoa.last_text and "Trạng thái: Mới gửi" in hoa.last_text

        await minh.command("tracuu", code)
        await minh.press("🔊 Bỏ tạm chặn")
        assert f"Đã bỏ tạm chặn người gửi phản ánh {code}" in minh.last_text
        assert "đang bị tạm chặn" not in minh.last_text
        await hoa.command("phananh")
        assert "Phản ánh của bạn về vấn đề gì?" in hoa.last_text

    async with db.session() as session:
        [mute] = (await session.exec(select(AccountMute))).all()
        sender = await session.get(Person, mute.person_id)
        [lifted] = (await session.exec(select(AuditEntry).where(
            AuditEntry.action == "account.unmute"))).all()
    assert mute.lifted_by == official.id and mute.told_at is not None
    assert sender.muted_until is None
    assert (lifted.record_id, lifted.record_code) == (mute.id, code)


async def test_a_draft_waits_out_the_mute_which_ends_by_itself(channel_people, db, clock):  # noqa: ANN001
    async with channel_people() as person:
        minh, hoa = person("Minh"), person("Hoa")
        await become_official(minh, db, clock)
        text = "Cống thoát nước ngõ 5 tắc, nước tràn lên mặt đường."
        first = await send_feedback(hoa, text)
        await person.settle()
        await hoa.command("phananh")  # the same text again, not sent yet
        await walk(hoa, spam_walk(text))
        assert "Kiểm tra lại" in hoa.last_text

        await minh.command("tracuu", first)
        await minh.press("🔇 Tạm chặn")
        await minh.text("1")
        await minh.text("Gửi trùng lặp nhiều lần.")
        await minh.press("Gửi")
        assert "đến 01/12/2026 09:00" in minh.last_text

        await hoa.press("Gửi")  # refused, the summary shown again: the draft is kept
        assert "chưa gửi được phản ánh mới, đến 01/12/2026 09:00" in hoa.last_text
        assert "Cống thoát nước ngõ 5 tắc" in hoa.last_text
        async with db.session() as session:
            assert len((await session.exec(select(Feedback))).all()) == 1

        clock.advance(days=1, minutes=1)  # the mute is over, nobody lifted it
        await hoa.press("Gửi")
        assert "bản nháp «gửi phản ánh»" in hoa.last_text  # a day later: the usual question
        await hoa.press("Tiếp tục")
        assert "Cống thoát nước ngõ 5 tắc" in hoa.last_text
        await hoa.press("Gửi")
        second = re.search(r"PA-\d{4}-\d{6}", hoa.last_text)
        assert second and second.group(0) != first, hoa.last_text
        await person.settle()

        await minh.command("tracuu", second.group(0))
        card = minh.last_text
        assert "⚠️ Có thể là spam: giống hệt 1 phản ánh trước đó của cùng người gửi" in card
        assert "đang bị tạm chặn" not in card

    async with db.session() as session:
        stored = (await session.exec(select(Feedback).order_by(Feedback.id))).all()
        flags = (await session.exec(select(FeedbackFlag))).all()
    assert [f.text for f in stored] == [text, text]
    assert [(f.feedback_id, f.kind, f.detail) for f in flags] == [
        (stored[1].id, "repeated", "1")]
