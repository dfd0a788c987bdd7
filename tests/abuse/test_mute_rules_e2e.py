"""The rules around mutes and warnings, over Telegram (the real adapter against the fake Bot
API): only an official responsible for the feedback may mute its sender or lift the mute (a
forged button is refused and nothing stored), an official lifts only the mutes set from their
own jurisdiction, the report's feedback list carries the warnings, and a muted person's own
data export holds the mute while erasing their data removes it."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from storage.models import AccountMute, AuditEntry, Person
from tests.fakes.telegram_api import FakeTelegram
from tests.support.officials import (
    BEN_THANH_PIN,
    HOAN_KIEM,
    Step,
    feedback_walk,
    tg_become_official,
    tg_send_feedback,
)
from tests.support.telegram_harness import TelegramDriver, running_app

SPAM = "Trúng thưởng! Nhận tại tinyurl.com/trung-thuong ngay hôm nay."


@pytest.fixture
def fast_settings(settings):  # noqa: ANN001
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


def walk_with(text: str, **options: object) -> list[Step]:
    return [Step("text", "text", text) if s.field == "text" else s
            for s in feedback_walk(photos=0, **options)]  # type: ignore[arg-type]


async def mute(official: TelegramDriver, code: str, days: str = "3") -> None:
    await official.command("tracuu", code)
    await official.press("🔇 Tạm chặn")
    await official.text(days)
    await official.text("Quảng cáo lừa đảo.")
    await official.press("Gửi")


async def test_only_a_responsible_official_mutes_or_lifts(fast_settings, clock, db):  # noqa: ANN001
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        hoa, binh = fake.user(2001, first_name="Hoa"), fake.user(2002, first_name="Bình")
        hk, hcm, hn = (fake.user(3001, first_name="HK"), fake.user(3002, first_name="HCM"),
                       fake.user(3003, first_name="HN"))
        citizen, stranger = TelegramDriver(app, fake, hoa), TelegramDriver(app, fake, binh)
        in_hk, in_hcm, in_hn = (TelegramDriver(app, fake, u) for u in (hk, hcm, hn))
        await tg_become_official(in_hk, db, clock, unit=HOAN_KIEM)
        await tg_become_official(in_hcm, db, clock, unit="79", level="province")
        await tg_become_official(in_hn, db, clock, unit="01", level="province")
        in_hanoi = await tg_send_feedback(citizen, walk_with(SPAM))
        in_saigon = await tg_send_feedback(citizen, walk_with(
            "Vỉa hè đường Lê Lợi bị lấn chiếm.", commune_query="ben thanh",
            pin=BEN_THANH_PIN, commune_pick="Phường Bến Thành, Thành phố Hồ Chí Minh"))
        await app.outbox.drain()  # the officials' notices, before they act

        await stranger.command("start")
        for forged_by in (stranger, in_hcm):  # a citizen, an official elsewhere
            await forged_by.press_data("a:fb_mute:1")
            assert forged_by.last.text.startswith("⛔"), forged_by.last.text
            await forged_by.press_data("a:fb_unmute:1")
            assert forged_by.last.text.startswith("⛔"), forged_by.last.text
        async with db.session() as session:
            assert (await session.exec(select(AccountMute))).all() == []

        await mute(in_hk, in_hanoi)  # Hoàn Kiếm mutes Hoa from its feedback
        assert "đến 03/12/2026 09:00" in hk.last.text
        await in_hcm.command("tracuu", in_saigon)  # Hồ Chí Minh City sees it, cannot lift it
        assert "Người gửi đang bị tạm chặn đến 03/12/2026 09:00" in hcm.last.text
        await in_hcm.press("🔊 Bỏ tạm chặn")
        assert "chỉ đơn vị đó bỏ được" in hcm.last.text
        await in_hn.command("tracuu", in_hanoi)  # Hà Nội province covers Hoàn Kiếm: it can
        await in_hn.press("🔊 Bỏ tạm chặn")
        assert f"Đã bỏ tạm chặn người gửi phản ánh {in_hanoi}" in hn.last.text

    async with db.session() as session:
        [row] = (await session.exec(select(AccountMute))).all()
        hn_official = (await session.exec(select(Person).where(
            Person.unit_code == "01"))).one()
        actions = [(e.action, e.record_id) for e in (await session.exec(select(
            AuditEntry).where(AuditEntry.record_kind == "mute"))).all()]
    assert row.lifted_by == hn_official.id
    assert actions == [("account.mute", row.id), ("account.unmute", row.id)]


async def test_warnings_reach_the_report_and_a_mute_is_the_persons_data(
        fast_settings, clock, db):  # noqa: ANN001
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        hoa, minh = fake.user(2001, first_name="Hoa"), fake.user(3001, first_name="Minh")
        citizen, official = TelegramDriver(app, fake, hoa), TelegramDriver(app, fake, minh)
        await tg_become_official(official, db, clock, unit=HOAN_KIEM)
        flagged = await tg_send_feedback(citizen, walk_with(SPAM))
        await app.outbox.drain()  # the officials' notice of it warns them first
        assert minh.last.text.startswith("⚠️ Có thể là spam: có liên kết rút gọn (tinyurl.com)"
                                         f"\n📥 Phản ánh mới {flagged}"), minh.last.text
        plain = await tg_send_feedback(citizen, walk_with("Đèn đường ngõ 8 hỏng."))
        await app.outbox.drain()
        assert minh.last.text.startswith(f"📥 Phản ánh mới {plain}"), minh.last.text
        await mute(official, flagged, days="2")

        await official.command("baocao")
        await app.scheduler.ondemand_reports.run()
        await app.outbox.drain()
        [report] = [m for m in fake.messages(3001) if m.kind == "document"]
        book = load_workbook(io.BytesIO(fake.file_bytes(report.document["file_id"])))
        rows = list(book["Danh sách phản ánh"].iter_rows(values_only=True))
        column = rows[0].index("Cảnh báo")
        warnings = {row[0]: row[column] for row in rows[1:]}
        assert warnings[flagged] == "Có thể là spam: có liên kết rút gọn (tinyurl.com)"
        assert warnings[plain] in (None, "")  # listed too, without a warning

        await citizen.command("dulieucuatoi")  # the mute is theirs to see, not who set it
        [document] = [m for m in fake.messages(2001) if m.kind == "document"]
        exported = json.loads(fake.file_bytes(document.document["file_id"]))
        [own] = exported["mutes"]
        assert own["reason"] == "Quảng cáo lừa đảo." and own["muted_by"] is None

        await citizen.command("xoadulieu")
        await citizen.press("Xoá vĩnh viễn")
        assert "Đã xoá dữ liệu của bạn" in hoa.last.text
    async with db.session() as session:
        assert (await session.exec(select(AccountMute))).all() == []
        assert [e.action for e in (await session.exec(select(AuditEntry).where(
            AuditEntry.record_kind == "mute"))).all()] == ["account.mute"]
