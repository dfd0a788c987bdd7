"""A person's data over Telegram: /dulieucuatoi sends exactly their rows as a JSON file with a
summary; /xoadulieu erases name, phone, username and channel ids from every table while the
official still reads the feedback's history; `dvk person erase` does the same on paper."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import JSON, String, Text, select
from sqlmodel import SQLModel
from sqlmodel import select as sm_select
from sqlmodel.sql.sqltypes import AutoString

from bot.cli import build_parser
from storage.models import (
    AuditEntry,
    ChannelAccount,
    Consent,
    Feedback,
    FeedbackFollower,
    FeedbackPhoto,
    Follow,
    Person,
    PracticeVote,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.support.chat_driver import walk
from tests.support.factories import store_practice
from tests.support.officials import (
    HOAN_KIEM,
    feedback_walk,
    tg_become_official,
    tg_open,
    tg_send_feedback,
)
from tests.support.telegram_harness import TelegramChat, TelegramDriver, running_app

NAM_ID, BINH_ID = 777_000_123, 777_000_456
NAM = {"name": "Trần Văn Nam", "username": "namtran_hb", "phone": "0912345678",
       "phone_e164": "+84912345678", "channel_id": str(NAM_ID)}


@pytest.fixture
def fast_settings(settings):
    return settings.updated(telegram_per_chat_rate=1000,
                            telegram_global_rate=1000)


async def person_of(db, user_id: int) -> Person:  # noqa: ANN001
    async with db.session() as session:
        account = (await session.exec(sm_select(ChannelAccount).where(
            ChannelAccount.external_id == str(user_id)))).one()
        return await session.get(Person, account.person_id)


async def text_columns_holding(db, needles: list[str]) -> list[str]:  # noqa: ANN001
    """Every text (and JSON) column of every table, scanned for the needles."""
    found = []
    async with db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns
                       if isinstance(c.type, (String, Text, JSON, AutoString))]
            for column in columns:
                for value in (await session.exec(select(column))).scalars().all():
                    shown = value if isinstance(value, str) else json.dumps(
                        value, ensure_ascii=False)
                    found += [f"{table.name}.{column.name}: {needle}" for needle in needles
                              if value is not None and needle in shown]
    return found


async def nam_and_binh_with_feedback(app, fake, db, clock):  # noqa: ANN001, ANN201
    """Nam sends named feedback with his phone and a photo, Binh anonymous feedback; an official
    of the commune answers Nam's."""
    nam = fake.user(NAM_ID, first_name="Trần Văn", last_name="Nam", username=NAM["username"])
    binh = fake.user(BINH_ID, first_name="Bình", username="binh_le")
    minh = fake.user(3001, first_name="Minh")
    citizen, other = TelegramDriver(app, fake, nam), TelegramDriver(app, fake, binh)
    official = TelegramDriver(app, fake, minh)
    await tg_become_official(official, db, clock, unit=HOAN_KIEM)
    await tg_send_feedback(citizen, feedback_walk(anonymous=False, phone=NAM["phone"], photos=1))
    await tg_send_feedback(other, feedback_walk(photos=0))
    await app.outbox.drain()
    await tg_open(official, "PA-2026-000001")
    await official.press("Trả lời")
    await official.text("Phường đã báo điện lực, sẽ thay bóng trong tuần này.")
    await official.press("✅ Gửi")
    await app.outbox.drain()
    return citizen, other, official


async def test_mydata_sends_exactly_the_persons_rows(fast_settings, clock, db):
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        citizen, other, _ = await nam_and_binh_with_feedback(app, fake, db, clock)
        nam, binh = await person_of(db, NAM_ID), await person_of(db, BINH_ID)
        await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=nam.id)
        await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=binh.id)
        async with db.session() as session:
            for person, practice in ((nam, 1), (binh, 2)):
                session.add(PracticeVote(practice_id=practice, person_id=person.id,
                                         agrees=True, satisfaction=4,
                                         updated_at=clock.now()))
            await session.commit()
        await citizen.command("theodoi", "hoan kiem")  # follows are theirs too (/theodoi)
        await other.command("theodoi", "ben thanh")
        await citizen.command("dulieucuatoi")
        summary = next(m for m in reversed(fake.messages(NAM_ID)) if m.kind == "text")
        [document] = [m for m in fake.messages(NAM_ID) if m.kind == "document"]
    assert "Dữ liệu bot đang lưu về bạn" in summary.plain_text
    assert "telegram @namtran_hb" in summary.plain_text
    assert "1 phản ánh, 1 mô hình, 1 phiếu đánh giá" in summary.plain_text
    assert "PA-2026-000001" in summary.plain_text and "đã đồng ý" in summary.plain_text
    assert "Nơi bạn theo dõi: Phường Hoàn Kiếm, Thành phố Hà Nội" in summary.plain_text
    assert document.document["file_name"] == "dulieucuatoi.json"
    exported = json.loads(fake.file_bytes(document.document["file_id"]))
    async with db.session() as session:
        mine = {
            "accounts": [a.id for a in (await session.exec(sm_select(ChannelAccount).where(
                ChannelAccount.person_id == nam.id))).all()],
            "feedback": [f.id for f in (await session.exec(sm_select(Feedback).where(
                Feedback.reporter_id == nam.id))).all()],
            "consents": [c.id for c in (await session.exec(sm_select(Consent).where(
                Consent.person_id == nam.id))).all()],
            "votes": [v.id for v in (await session.exec(sm_select(PracticeVote).where(
                PracticeVote.person_id == nam.id))).all()],
            "follows": [f.id for f in (await session.exec(sm_select(Follow).where(
                Follow.person_id == nam.id))).all()],
        }
    assert exported["person"]["id"] == nam.id
    for key, ids in mine.items():
        assert [row["id"] for row in exported[key]] == ids and ids, key
    assert [p["submitter_id"] for p in exported["practices"]] == [nam.id]
    assert [f["unit_code"] for f in exported["follows"]] == [HOAN_KIEM]
    [feedback] = exported["feedback"]
    assert feedback["reporter_phone"] == NAM["phone_e164"] and len(feedback["photos"]) == 1
    assert "Phường đã báo điện lực" in json.dumps(feedback["history"], ensure_ascii=False)
    dumped = json.dumps(exported, ensure_ascii=False)
    assert "binh_le" not in dumped and str(BINH_ID) not in dumped and "Bình" not in dumped


async def test_erasure_leaves_no_trace_and_the_official_still_reads_the_history(
        fast_settings, clock, db):
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        citizen, other, official = await nam_and_binh_with_feedback(app, fake, db, clock)
        nam = await person_of(db, NAM_ID)
        await citizen.command("dulieucuatoi")  # an export file exists, and goes too
        assert await text_columns_holding(db, list(NAM.values()))  # the scan finds him
        async with db.session() as session:
            photo = (await session.exec(sm_select(FeedbackPhoto))).one()
        assert app.engine.services.media.objects.exists(photo.path)
        await citizen.command("theodoi", "hoan kiem")
        await other.command("theodoi", "hoan kiem")

        await citizen.command("xoadulieu")
        assert "Xoá dữ liệu của bạn?" in fake.user(NAM_ID).last.text
        await citizen.press("Xoá vĩnh viễn")
        assert "Đã xoá dữ liệu của bạn" in fake.user(NAM_ID).last.text

        assert await text_columns_holding(db, list(NAM.values())) == []
        assert not app.engine.services.media.objects.exists(photo.path)
        assert list(app.engine.services.media.objects.list("exports/")) == []
        await tg_open(official, "PA-2026-000001")
        card = fake.user(3001).last.plain_text
        assert "Người dân đã xoá dữ liệu" in card
        assert "Phường đã báo điện lực" in card  # the answer and history stay
        await citizen.command("start")  # writing again: someone new
        assert (await person_of(db, NAM_ID)).id != nam.id
    async with db.session() as session:
        feedback = await session.get(Feedback, 1)
        consents = (await session.exec(sm_select(Consent).where(
            Consent.person_id == nam.id))).all()
        erased = (await session.exec(sm_select(AuditEntry).where(
            AuditEntry.action == "person.erase"))).one()
        follows = (await session.exec(sm_select(Follow))).all()
    assert (feedback.reporter_name, feedback.reporter_phone) == ("Người dân đã xoá dữ liệu", None)
    assert feedback.status == "received" and feedback.text.startswith("Đèn đường")
    assert [c.decision for c in consents] == ["given", "withdrawn"]
    binh = await person_of(db, BINH_ID)
    assert [(f.person_id, f.unit_code) for f in follows] == [(binh.id, HOAN_KIEM)]
    assert (erased.actor_id, erased.record_id, erased.channel) == (nam.id, nam.id, "telegram")


async def test_dvk_person_erase_for_a_request_on_paper(fast_settings, clock, db, monkeypatch):
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        await nam_and_binh_with_feedback(app, fake, db, clock)
    nam = await person_of(db, NAM_ID)

    def run(*argv: str) -> int:
        args = build_parser().parse_args(list(argv))
        return int(args.run(fast_settings, args))

    monkeypatch.setattr("builtins.input", lambda prompt: "999")
    assert await asyncio.to_thread(run, "person", "erase", str(nam.id)) == 1  # not confirmed
    assert await text_columns_holding(db, [NAM["name"]])
    official = await person_of(db, 3001)
    assert await asyncio.to_thread(run, "person", "erase", str(official.id), "--yes") == 1
    monkeypatch.setattr("builtins.input", lambda prompt: str(nam.id))
    assert await asyncio.to_thread(run, "person", "erase", str(nam.id)) == 0
    assert await text_columns_holding(db, list(NAM.values())) == []
    async with db.session() as session:
        erased = (await session.exec(sm_select(AuditEntry).where(
            AuditEntry.action == "person.erase"))).one()
    assert (erased.actor_id, erased.record_id, erased.channel) == (None, nam.id, "cli")


async def test_a_followers_link_is_exported_and_erased_while_the_count_stays(
        fast_settings, clock, db):
    """Binh follows Nam's feedback instead of sending the same: the link is Binh's data (in his
    export, not in Nam's); erasing Binh cuts it, and the officials' count stays."""
    async with FakeTelegram() as fake, running_app(fast_settings, fake, clock) as app:
        nam = fake.user(NAM_ID, first_name="Trần Văn", last_name="Nam", username=NAM["username"])
        binh = fake.user(BINH_ID, first_name="Bình", username="binh_le")
        minh = fake.user(3001, first_name="Minh")
        citizen, follower = TelegramDriver(app, fake, nam), TelegramDriver(app, fake, binh)
        official = TelegramDriver(app, fake, minh)
        await tg_become_official(official, db, clock, unit=HOAN_KIEM)
        await tg_send_feedback(citizen, feedback_walk(anonymous=False, phone=NAM["phone"]))
        await follower.command("phananh")
        await walk(TelegramChat(follower, albums=False), feedback_walk(photos=0))
        await follower.press("✅ Gửi")
        assert "Có phải vấn đề này?" in binh.last.text
        await follower.press("Đúng, theo dõi phản ánh này")
        binh_person = await person_of(db, BINH_ID)

        await follower.command("dulieucuatoi")
        [binh_file] = [m for m in fake.messages(BINH_ID) if m.kind == "document"]
        binh_data = json.loads(fake.file_bytes(binh_file.document["file_id"]))
        assert "Đang theo dõi: PA-2026-000001" in fake.messages(BINH_ID)[-2].plain_text
        await citizen.command("dulieucuatoi")
        [nam_file] = [m for m in fake.messages(NAM_ID) if m.kind == "document"]
        nam_data = json.loads(fake.file_bytes(nam_file.document["file_id"]))

        await follower.command("xoadulieu")
        await follower.press("Xoá vĩnh viễn")
        assert "Đã xoá dữ liệu của bạn" in fake.user(BINH_ID).last.text
        await tg_open(official, "PA-2026-000001")
        card = minh.last.plain_text
    [following] = binh_data["following"]
    assert (following["feedback_code"], following["person_id"], following["via"]) == (
        "PA-2026-000001", binh_person.id, "offer")
    assert binh_data["feedback"] == [] and nam_data["following"] == []
    assert "binh_le" not in json.dumps(nam_data, ensure_ascii=False)
    assert "Trần Văn Nam" not in json.dumps(binh_data, ensure_ascii=False)  # never the sender
    async with db.session() as session:
        [row] = (await session.exec(sm_select(FeedbackFollower))).all()
    assert row.person_id is None and row.feedback_id == 1
    assert "👥 2 người cùng phản ánh" in card
    assert await text_columns_holding(db, ["binh_le", str(BINH_ID)]) == []
