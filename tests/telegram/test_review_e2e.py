"""The review loop over Telegram: ask for changes → the leader edits one field → resubmits →
approve → recognise; every notice arrives. Then citizens of the commune rate the practice and
the official sees the counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from storage.models import Practice, PracticeEvent, Recognition
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.officials import THANH_XUAN, tg_become_official
from tests.support.practice_walk import COMPLETE_PRACTICE
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def test_changes_resubmission_approval_recognition_and_consensus(fast_settings, clock, db):
    async with FakeTelegram() as fake:
        lan = fake.user(1001, first_name="Lan")
        tuan = fake.user(3001, first_name="Tuấn")
        voters = [fake.user(5000 + n, first_name=f"Dân {n}") for n in range(3)]
        async with running_app(fast_settings, fake, clock) as app:
            leader, official = TelegramDriver(app, fake, lan), TelegramDriver(app, fake, tuan)
            await tg_become_official(official, db, clock, unit=THANH_XUAN)
            await leader.command("mohinh")
            await walk(TelegramChat(leader, albums=False), COMPLETE_PRACTICE)
            await leader.press("✅ Gửi")
            assert "MH-2026-000001" in lan.last.text
            await app.outbox.drain()
            assert "MH-2026-000001" in tuan.last.text  # officials are told of new practices

            await official.command("hopthu")
            assert "MH-2026-000001" in tuan.last.text and "chờ xem xét: 1" in tuan.last.text
            shown = await official.press("📝 MH-2026-000001")
            assert [m.kind for m in shown] == ["photo"] * 3 + ["text"]
            assert "Rõ sản phẩm" in tuan.last.text and "Thôn Đông Hà" in tuan.last.text

            await official.press("✏️ Yêu cầu sửa")
            await official.press("▫️ Tên mô hình")
            assert "Đã chọn: Tên mô hình" in tuan.last.text
            await official.press("➡️ Xong, viết ghi chú")
            await official.text("Tên cần nêu rõ cả việc tự quản, không chỉ tiếng kẻng.")
            assert "Cần sửa: Tên mô hình" in tuan.last.text
            await official.press("✅ Gửi")
            assert "Đã gửi yêu cầu sửa" in tuan.last.text
            await app.outbox.drain()
            assert "yêu cầu sửa (Tên mô hình)" in lan.last.text
            assert "Cán bộ dân vận Phường Thanh Xuân" in lan.last.text
            assert "Tuấn" not in lan.last.text

            await leader.press("✏️ Sửa mô hình")
            assert "Cán bộ đề nghị sửa: Tên mô hình" in lan.last.text
            assert "Tên mô hình, cách làm?" in lan.last.text
            await leader.text("Tiếng kẻng an ninh và tự quản thôn Đông Hà")
            assert "Kiểm tra lại mô hình" in lan.last.text and "3 ảnh" in lan.last.text
            await leader.press("✅ Gửi")
            assert "Đã gửi lại mô hình MH-2026-000001" in lan.last.text
            await app.outbox.drain()
            assert "đã được sửa và gửi lại" in tuan.last.text

            await official.press("📂 Mở")
            assert "Tiếng kẻng an ninh và tự quản thôn Đông Hà" in tuan.last.text
            await official.press("👍 Duyệt")
            await app.outbox.drain()
            assert "duyệt mô hình" in lan.last.text and "Đã duyệt" in lan.last.text
            await official.press("🏅 Công nhận điển hình")
            assert "chưa có đợt lấy ý kiến Nhân dân nào đã kết thúc" in tuan.last.text
            await official.press("✅ Vẫn công nhận")
            await official.text("12/QĐ-UBND")
            await official.press("Bỏ qua")
            assert "Đã công nhận điển hình cấp cơ sở" in tuan.last.text
            assert "QĐ số 12/QĐ-UBND ngày —" in tuan.last.text
            await app.outbox.drain()
            assert "Chúc mừng" in lan.last.text and "cấp cơ sở" in lan.last.text

            await leader.command("tracuu", "MH-2026-000001")
            history = lan.last.text.split("Diễn biến:")[1]
            assert history.index("yêu cầu sửa") < history.index("đã sửa và gửi lại") < \
                history.index("duyệt mô hình") < history.index("công nhận điển hình")

            async def consult(voter: TelegramDriver, agree: str, stars: int) -> None:
                await voter.command("dongthuan")
                await voter.text("thanh xuan")
                await voter.press("Phường Thanh Xuân, Thành phố Hà Nội")
                await voter.press("🏠 Có, tôi sống ở đây")
                assert "Tiếng kẻng an ninh và tự quản" in voter.last.text
                await voter.press("🏅 Tiếng kẻng an ninh và tự quản thôn Đông…")
                await voter.press(agree)
                await voter.press("⭐" * stars)

            for n, user in enumerate(voters):
                voter = TelegramDriver(app, fake, user)
                await consult(voter, "👍 Đồng thuận" if n < 2 else "👎 Chưa đồng thuận", 5 - n)
                assert "Cảm ơn bạn đã đánh giá" in user.last.text
            await voter.press_data("a:cs_sat:1:1:9")  # out of range: refused, nothing stored
            assert voter.last.text.startswith("⚠️")
            await voter.press_data("a:cs_sat:1:1:4")  # never offered: refused, nothing stored
            assert voter.last.text.startswith("⚠️")
            await consult(voter, "👍 Đồng thuận", 4)  # a change of mind replaces the vote
            assert "Đã cập nhật" in user.last.text
            await official.command("tracuu", "MH-2026-000001")
            assert ("3 đồng thuận · 0 chưa đồng thuận · hài lòng 4.3/5 (3 phiếu được tính)"
                    in tuan.last.text)
            assert not any("Công nhận" in b for b in tuan.last.buttons)  # once per level
        assert fake.errors == []

    async with db.session() as session:
        practice = (await session.exec(select(Practice))).one()
        kinds = [e.kind for e in (await session.exec(select(PracticeEvent))).all()]
        recognition = (await session.exec(select(Recognition))).one()
    assert practice.status == "recognised"
    assert practice.title == "Tiếng kẻng an ninh và tự quản thôn Đông Hà"
    assert practice.answers["title"] == practice.title
    assert kinds == ["changes_requested", "resubmitted", "approved", "recognised"]
    assert (recognition.level, recognition.unit_code) == ("commune", THANH_XUAN)
    assert recognition.valid_until - recognition.recognised_at == timedelta(days=365)
