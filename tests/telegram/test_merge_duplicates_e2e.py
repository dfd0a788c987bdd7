"""Duplicates over Telegram: with two open feedback nearby a third citizen is offered both and
follows one; an official merges that one into the other from its card; the merged one's sender
and follower are told, follow the survivor, and hear of its resolution with its sender; the
card counts everyone affected; the merge is audited on both and refused to anyone else. Nobody
learns who else sent or follows it."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from storage.models import AuditEntry, Feedback, FeedbackFollower
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.officials import (
    BEN_THANH,
    HOAN_KIEM,
    HOAN_KIEM_PIN,
    feedback_walk,
    tg_become_official,
    tg_open,
    tg_resolve,
    tg_send_feedback,
)
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app

NEAR = (HOAN_KIEM_PIN[0] + 40 / 111_320, HOAN_KIEM_PIN[1])
HOA = ("Nguyễn Thị Hoa", "0912345678")


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def walk_feedback(driver: TelegramDriver, *, pin: tuple[float, float]) -> None:
    await driver.command("phananh")
    await walk(TelegramChat(driver, albums=False), feedback_walk(photos=0, pin=pin))
    await driver.press("✅ Gửi")


async def test_an_official_merges_a_duplicate_and_everyone_follows_the_survivor(
        fast_settings, clock, db):
    async with FakeTelegram() as fake:
        hoa = fake.user(2001, first_name="Hoa", last_name="Nguyễn Thị", username="hoa_hb")
        tu = fake.user(2002, first_name="Tú", username="tu_hk")
        xuan = fake.user(2003, first_name="Xuân", username="xuan_hk")
        minh = fake.user(3001, first_name="Minh")
        khoa = fake.user(3002, first_name="Khoa")  # an official of Bến Thành, Hồ Chí Minh City
        async with running_app(fast_settings, fake, clock) as app:
            sender, second, third = (TelegramDriver(app, fake, u) for u in (hoa, tu, xuan))
            official, elsewhere = TelegramDriver(app, fake, minh), TelegramDriver(app, fake, khoa)
            await tg_become_official(official, db, clock, unit=HOAN_KIEM)
            await tg_become_official(elsewhere, db, clock, unit=BEN_THANH)
            await tg_send_feedback(sender, feedback_walk(anonymous=False, phone=HOA[1],
                                                         photos=0))
            await walk_feedback(second, pin=NEAR)
            assert "Có phải vấn đề này?" in tu.last.text
            await second.press("Không, gửi phản ánh mới")
            assert "PA-2026-000002" in tu.last.text

            await walk_feedback(third, pin=NEAR)
            offer = xuan.last.text
            assert "PA-2026-000001 — Đèn đường" in offer and "PA-2026-000002 — Đèn đường" in offer
            await third.press("Đúng, theo dõi PA-2026-000002")
            assert "Bạn đang theo dõi phản ánh PA-2026-000002" in xuan.last.text
            await app.outbox.drain()

            await tg_open(official, "PA-2026-000002")
            await official.press("🔗 Gộp phản ánh trùng")
            assert "PA-2026-000001 — Đèn đường" in minh.last.text
            await official.press("🔗 Gộp vào PA-2026-000001")
            assert "Gộp PA-2026-000002 vào PA-2026-000001?" in minh.last.text
            assert "2 người của PA-2026-000002" in minh.last.text
            for data in ("a:fb_merge_do:2:1", "a:fb_merge_into:2:1", "a:fb_merge:2"):
                replies = await elsewhere.press_data(data)  # another province's official
                assert replies[-1].text.startswith("⛔"), (data, replies[-1].text)
            await sender.press_data("a:fb_merge_do:2:1")  # a citizen
            assert hoa.last.text.startswith("⛔")
            await official.press("✅ Gộp")
            merged = minh.last.text
            assert "Đã gộp PA-2026-000002 vào PA-2026-000001" in merged
            assert "👥 3 người cùng phản ánh" in merged  # Hoa, Tú and Xuân
            assert "gộp một phản ánh trùng vào đây: «PA-2026-000002»" in merged
            for citizen in (second, third):
                told = "\n".join(m.text for m in await citizen.notices())
                assert "gộp vào PA-2026-000001" in told, told
            assert await sender.notices() == []  # her feedback did not change status

            await official.command("tracuu", "PA-2026-000002")  # no longer in the inbox
            assert "🔗 Đã gộp vào phản ánh PA-2026-000001" in minh.last.text
            assert "Gộp phản ánh trùng" not in str(minh.last.buttons)  # closed: no actions
            await tg_open(official, "PA-2026-000001")
            await tg_resolve(official, "Đã thay bóng đèn mới ngày 2/12.", proof_photos=1)
            for citizen in (sender, second, third):
                told = await citizen.notices()
                assert [m.kind for m in told] == ["photo", "text"], (citizen.user.id, told)
                assert "Đã thay bóng đèn mới ngày 2/12." in told[-1].text
            await second.command("tracuu", "PA-2026-000002")
            assert "Đã gộp vào phản ánh khác" in tu.last.text
            assert "🔗 Đã gộp vào phản ánh PA-2026-000001" in tu.last.text
            await second.press("Xem chi tiết")
            assert "Bạn đang theo dõi phản ánh này" in tu.last.text
            assert "Đã giải quyết" in tu.last.text
        assert fake.errors == []

    secrets = {hoa.id: [*HOA, "hoa_hb", "Hoa"], tu.id: ["tu_hk", "Tú"],
               xuan.id: ["xuan_hk", "Xuân"]}
    checked = 0
    for call in fake.calls:  # a named sender's name goes to officials, never to citizens
        for owner, words in secrets.items():
            if call.chat_id not in set(secrets) - {owner}:
                continue
            checked += 1
            seen = f"{call.params} {call.files}"
            leaked = [w for w in words if re.search(rf"\b{re.escape(w)}\b", seen)]
            assert not leaked, (owner, call.chat_id, leaked)
    assert checked > 60
    async with db.session() as session:
        feedback = (await session.exec(select(Feedback).order_by(Feedback.id))).all()
        followers = (await session.exec(select(FeedbackFollower)
                                        .order_by(FeedbackFollower.id))).all()
        audits = (await session.exec(select(AuditEntry).where(
            AuditEntry.action == "feedback.merge"))).all()
    first, duplicate = feedback
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", first.id)
    assert duplicate.closed_at is not None and first.status == "resolved"
    assert [(f.feedback_id, f.via, f.from_feedback_id) for f in followers] == [
        (2, "offer", None), (1, "merge", 2), (1, "merge", 2)]
    assert {f.person_id for f in followers[1:]} == {duplicate.reporter_id,
                                                    followers[0].person_id}
    assert sorted((a.record_id, a.detail) for a in audits) == [
        (1, "from PA-2026-000002"), (2, "into PA-2026-000001")]
