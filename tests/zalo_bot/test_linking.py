"""One person across channels, at the engine: link codes, the merge (everything follows, the
higher role wins, a clash keeps one row), refusals, and choosing where notices go."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import select

from storage.models import (
    ChannelAccount,
    LinkCode,
    OutboxMessage,
    Person,
    Practice,
    PracticeVote,
)
from storage.repositories import linking
from tests.support.factories import make_official, store_practice
from tests.support.officials import BEN_THANH, HOAN_KIEM

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")


def code_in(replies) -> str:  # noqa: ANN001
    return CODE.search(replies[-1].text).group(0)


async def person_of(db, channel: str, external_id: str) -> Person:  # noqa: ANN001
    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount).where(
            ChannelAccount.channel == channel, ChannelAccount.external_id == external_id))).one()
        return await session.get(Person, account.person_id)


async def test_everything_follows_and_the_higher_role_wins(make_chat, db, clock):
    on_telegram = make_chat(1001, "Lan", "telegram")
    on_zalo = make_chat(5001, "Lan Zalo", "zalo_bot")
    await on_telegram.command("start")
    await on_zalo.command("start")
    lan_tg = await person_of(db, "telegram", "1001")
    lan_zalo = await person_of(db, "zalo_bot", "5001")
    await make_official(db, lan_zalo.id, unit=HOAN_KIEM)  # she was invited on Zalo
    first = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=lan_tg.id)
    second = await store_practice(db, clock, commune=HOAN_KIEM, submitter_id=lan_zalo.id,
                                  title="Dân vận khéo ở tổ 7")
    async with db.session() as session:
        for person_id, satisfaction in ((lan_tg.id, 5), (lan_zalo.id, 2)):
            session.add(PracticeVote(practice_id=first, person_id=person_id, agrees=True,
                                     satisfaction=satisfaction, updated_at=clock.now()))
        session.add(OutboxMessage(idempotency_key="k1", person_id=lan_zalo.id, payload=[],
                                  not_before=clock.now(), created_at=clock.now()))
        await session.commit()

    code = code_in(await on_telegram.command("link"))
    [done] = await on_zalo.command("lienket", code)
    assert "Đã liên kết" in done.text and "Telegram, Zalo" in done.text

    async with db.session() as session:
        assert await session.get(Person, lan_zalo.id) is None
        lan = await session.get(Person, lan_tg.id)
        practices = (await session.exec(select(Practice))).all()
        votes = (await session.exec(select(PracticeVote))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
        accounts = (await session.exec(select(ChannelAccount))).all()
    assert (lan.role, lan.level, lan.unit_code) == ("official", "commune", HOAN_KIEM)
    assert {p.id for p in practices if p.submitter_id == lan.id} == {first, second}
    assert [(v.person_id, v.satisfaction) for v in votes] == [(lan.id, 5)]  # hers was kept
    assert [m.person_id for m in outbox] == [lan.id]
    assert {a.person_id for a in accounts} == {lan.id}
    # Her inbox (an official's command) now works from Telegram too.
    [inbox] = await on_telegram.command("hopthu")
    assert "⛔" not in inbox.text and "Không có lệnh" not in inbox.text


async def test_codes_are_single_use_expire_and_are_refused_clearly(make_chat, db, clock):
    owner = make_chat(1001, "Lan", "telegram")
    other = make_chat(5001, "Lan", "zalo_bot")
    code = code_in(await owner.command("link"))
    newer = code_in(await owner.command("link"))  # the older code stops working
    [reply] = await other.command("link", code)
    assert "không đúng hoặc đã dùng" in reply.text
    [reply] = await other.command("link", "12")
    assert "8 chữ và số" in reply.text
    [reply] = await owner.command("link", newer)
    assert "đã được liên kết rồi" in reply.text

    clock.advance(minutes=16)
    [reply] = await other.command("link", newer)
    assert "hết hạn" in reply.text

    fresh = code_in(await owner.command("link"))
    [reply] = await other.command("link", fresh.replace("-", " ").lower())
    assert "Đã liên kết" in reply.text
    third = make_chat(7001, "Ai đó", "web")
    [reply] = await third.command("link", fresh)
    assert "không đúng hoặc đã dùng" in reply.text
    async with db.session() as session:
        codes = (await session.exec(select(LinkCode))).all()
    assert all(len(c.code_hash) == 64 and fresh.replace("-", "") not in c.code_hash
               for c in codes)


async def test_guessing_codes_is_stopped(make_chat, clock):
    guesser = make_chat(6666, "Kẻ đoán", "zalo_bot")
    for attempt in range(5):
        [reply] = await guesser.command("link", f"AAAA-AAA{attempt + 2}")
        assert "không đúng" in reply.text
    owner = make_chat(1001, "Lan", "telegram")
    code = code_in(await owner.command("link"))
    [reply] = await guesser.command("link", code)  # even a right code, for an hour
    assert "quá nhiều lần" in reply.text
    clock.advance(hours=1, minutes=1)
    code = code_in(await owner.command("link"))
    [reply] = await guesser.command("link", code)
    assert "Đã liên kết" in reply.text


async def test_officials_of_two_units_are_not_merged(make_chat, db, clock):
    hanoi, saigon = make_chat(1001, "A", "telegram"), make_chat(5001, "B", "zalo_bot")
    await hanoi.command("start")
    await saigon.command("start")
    a, b = await person_of(db, "telegram", "1001"), await person_of(db, "zalo_bot", "5001")
    await make_official(db, a.id, unit=HOAN_KIEM)
    await make_official(db, b.id, unit=BEN_THANH)
    [reply] = await saigon.command("link", code_in(await hanoi.command("link")))
    assert reply.text.startswith("⛔") and "hai đơn vị khác nhau" in reply.text
    assert (await person_of(db, "zalo_bot", "5001")).unit_code == BEN_THANH


async def test_choosing_where_notices_go(make_chat, db, clock):
    lan = make_chat(1001, "Lan", "telegram")
    [ask] = await lan.command("thongbao")
    assert [o.label for o in ask.options] == ["Tự động (ứng dụng dùng gần nhất)", "Telegram"]
    await lan.press("Telegram")
    assert (await person_of(db, "telegram", "1001")).notify_channel == "telegram"
    [reply] = await lan.command("notify", "zalo")  # no Zalo account linked yet
    assert "Chưa có tài khoản trên ứng dụng đó" in reply.text
    [reply] = await lan.press_raw("a", "notify:zalo_bot")  # a forged button
    assert "Chưa có tài khoản" in reply.text
    await lan.command("notify", "tu dong")
    assert (await person_of(db, "telegram", "1001")).notify_channel is None


def test_every_table_pointing_at_a_person_is_merged() -> None:
    found = {f"{table.name}.{column.name}" for table, column in linking._person_references()}
    assert {"channelaccount.person_id", "practice.submitter_id", "feedback.reporter_id",
            "feedbackevent.actor_id", "practicevote.person_id", "outboxmessage.person_id",
            "invite.used_by", "linkcode.person_id"} <= found


def test_choose_account_prefers_the_chosen_channel_and_skips_failed_ones() -> None:
    now = datetime(2026, 1, 1)
    tg = ChannelAccount(id=1, person_id=1, channel="telegram", external_id="1", chat_id="1",
                        created_at=now, last_seen_at=now + timedelta(hours=1))
    zalo = ChannelAccount(id=2, person_id=1, channel="zalo_bot", external_id="z", chat_id="z",
                          created_at=now, last_seen_at=now)
    accounts = [tg, zalo]  # most recently used first
    assert linking.choose_account(accounts, preferred=None) is tg
    assert linking.choose_account(accounts, preferred="zalo_bot") is zalo
    assert linking.choose_account(accounts, preferred="zalo_bot", failed={2}) is tg
    assert linking.choose_account(accounts, preferred=None, failed={1, 2}) is None
