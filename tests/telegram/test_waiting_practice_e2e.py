"""A practice's whole wait over Telegram, the real App with its scheduler and the injected clock:
sent where no official exists, it is saved with an honest receipt and shown to the operator;
the first official invited there is handed it; left unreviewed, it reminds that official after
REVIEW_REMIND_DAYS and reaches the province after REVIEW_ESCALATE_DAYS."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from sqlmodel import select

from storage.models import OutboxMessage, Practice, ReminderRun
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.factories import make_invite
from tests.support.officials import HANOI, THANH_XUAN, tg_become_official
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app


async def health(app) -> dict:  # noqa: ANN001
    async with aiohttp.ClientSession() as session, session.get(app.web.url + "healthz") as got:
        assert got.status == 200
        return await got.json()


async def test_a_practice_waits_for_its_first_official_then_reminds_and_escalates(
        settings, clock, db) -> None:  # noqa: ANN001
    fast = settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)
    async with FakeTelegram() as fake:
        lan = fake.user(1001, first_name="Lan")
        tuan = fake.user(3001, first_name="Tuấn")
        hai = fake.user(3002, first_name="Hải")
        async with running_app(fast, fake, clock) as app:
            leader = TelegramDriver(app, fake, lan)
            await leader.command("mohinh")
            await walk(TelegramChat(leader), COMPLETE_PRACTICE)
            await leader.press("✅ Gửi")
            receipt = lan.last.text
            assert "Mã tiếp nhận: MH-2026-000001" in receipt
            assert "Hiện chưa có cán bộ dân vận nào nhận mô hình ở nơi này" in receipt
            waiting = (await health(app))["unassigned"]
            assert waiting["units"] == [{
                "code": THANH_XUAN, "name": "Phường Thanh Xuân", "province_code": HANOI,
                "province": "Thành phố Hà Nội", "feedback": 0, "practice": 1}]

            # The operator invites the commune's official, who is handed the practice.
            official = TelegramDriver(app, fake, tuan)
            await official.command("start", await make_invite(db, clock, unit=THANH_XUAN))
            welcome = "\n".join(m.text for m in tuan.inbox)
            assert "Đang có 0 phản ánh và 1 mô hình chờ cán bộ ở đây" in welcome
            await app.outbox.drain()
            assert "Mô hình mới MH-2026-000001: Tiếng kẻng an ninh thôn" in tuan.last.text
            assert ("Mô hình MH-2026-000001 «Tiếng kẻng an ninh thôn» của bạn đã được chuyển "
                    "tới cán bộ dân vận phụ trách (Phường Thanh Xuân, Thành phố Hà Nội)"
                    ) in lan.last.text
            assert "unassigned" not in await health(app)
            await official.command("hopthu")
            assert "MH-2026-000001" in tuan.last.text and "chờ xem xét: 1" in tuan.last.text

            province = TelegramDriver(app, fake, hai)
            await tg_become_official(province, db, clock, unit=HANOI, level="province")

            # Nobody reviews it: a week later its official is reminded, once.
            sent = clock.now()
            for days in (6, 7, 8):
                clock.set(sent + timedelta(days=days))
                await app.scheduler.tick()
                await app.outbox.drain()
            reminders = [m.text for m in tuan.inbox if "đã chờ xem xét" in (m.text or "")]
            assert reminders == ["⏰ Mô hình MH-2026-000001 «Tiếng kẻng an ninh thôn» (Phường "
                                 "Thanh Xuân, Thành phố Hà Nội) đã chờ xem xét 7 ngày. Đề nghị "
                                 "đồng chí xem xét, đánh giá."]
            await official.press("📂 Mở")  # straight from the reminder to the practice
            assert "Rõ sản phẩm" in tuan.last.text

            # A month on, the province hears of it.
            clock.set(sent + timedelta(days=30))
            await app.scheduler.tick()
            await app.outbox.drain()
            assert "quá 30 ngày, được chuyển lên cấp tỉnh theo dõi" in hai.last.text
            metrics = await app.metrics.render()
            assert 'dvk_reminders_sent_total{kind="practice_review"} 2' in metrics  # both
            assert 'dvk_reminders_sent_total{kind="feedback_escalation"} 0' in metrics
        assert fake.errors == []

    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        runs = (await session.exec(select(ReminderRun).where(
            ReminderRun.key.startswith("prreview:")).order_by(ReminderRun.id))).all()
        keys = {m.idempotency_key: m.status
                for m in (await session.exec(select(OutboxMessage))).all()}
    assert practice.status == "submitted"
    assert [(r.key.split(":")[2], r.recipients) for r in runs] == [("remind", 1), ("escalate", 1)]
    assert keys[f"pr:{practice.id}:assigned:to:{practice.submitter_id}"] == "sent"
    assert sum(1 for k in keys if k.startswith(f"prreview:{practice.id}:remind:")) == 1
