"""Consultation invitations leave through the outbox like every notice the bot sends on its
own (Telegram, real adapter against the fake Bot API): held through quiet hours, one per
follower, never twice, and only to those who follow the practice's commune."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from storage.models import OutboxMessage, Practice, PracticeStatus
from tests.fakes.telegram_api import FakeTelegram
from tests.support.officials import THANH_XUAN, make_invite, store_practice
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app

LATE_EVENING = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 22:30 in Hà Nội: quiet hours
NEXT_MORNING = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 07:30 in Hà Nội


def invites(chat: TelegramChat) -> list[str]:
    return [m.text for m in chat.driver.user.inbox if m.text and "Xin ý kiến" in m.text]


async def test_invitations_wait_for_the_morning_and_come_once(settings, clock, db):
    clock.set(LATE_EVENING)
    practice_id = await store_practice(db, clock, commune=THANH_XUAN, submitter_id=900)
    async with db.session() as session:
        practice = await session.get(Practice, practice_id)
        practice.status = PracticeStatus.APPROVED
        session.add(practice)
        await session.commit()
    fast = settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)
    async with FakeTelegram() as fake, running_app(fast, fake, clock) as app:
        def chat(user_id: int, name: str) -> TelegramChat:
            return TelegramChat(TelegramDriver(app, fake, fake.user(user_id, first_name=name)))

        minh, hoa, lan, tu = chat(3001, "Minh"), chat(2001, "Hoa"), chat(2002, "Lan"), \
            chat(2003, "Tư")
        await minh.command("moi", await make_invite(db, clock, unit=THANH_XUAN))
        for person, place in ((hoa, "thanh xuan"), (lan, "thanh xuan"), (tu, "hoan kiem"),
                              (minh, "thanh xuan")):
            await person.command("theodoi", place)
            if "Chọn nơi" in person.last_text:
                await person.press(next(b for b in person.driver.last.buttons
                                        if "Hà Nội" in b))
        await minh.command("tracuu", "MH-2026-000001")
        await minh.press("🗳 Lấy ý kiến Nhân dân")
        await minh.text("14")
        assert "đã mời 2 người" in minh.last_text  # Hoa and Lan; not Tư (elsewhere), not Minh

        await app.outbox.drain()
        assert invites(hoa) == [] and invites(lan) == []  # 22:30: quiet hours
        clock.set(NEXT_MORNING)
        await app.outbox.drain()
        await app.outbox.drain()
        assert len(invites(hoa)) == 1 and len(invites(lan)) == 1
        assert invites(tu) == [] and invites(minh) == []
        assert "trước ngày 14/12/2026" in invites(hoa)[0]
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).where(
            col(OutboxMessage.idempotency_key).startswith("cons:")))).all()
    assert len(rows) == 2 and all(r.quiet_hours and r.expires_at is not None for r in rows)
