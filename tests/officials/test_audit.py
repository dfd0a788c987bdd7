"""The audit log: what officials do is logged without citizens' data, province officials read
their own province's log with /nhatky, the operator exports it, and nothing rewrites it."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.cli import build_parser
from storage.models import AuditEntry
from tests.handlers.test_feedback import send_feedback
from tests.officials.test_officials import official
from tests.support.officials import BEN_THANH, BEN_THANH_PIN, HANOI, HCMC, feedback_walk


def run(settings, *argv: str) -> int:  # noqa: ANN001
    args = build_parser().parse_args(list(argv))
    return int(args.run(settings, args))


async def entries(db) -> list[AuditEntry]:  # noqa: ANN001
    async with db.session() as session:
        return list((await session.exec(select(AuditEntry).order_by(AuditEntry.id))).all())


async def hanoi_and_hcmc_feedback_answered(make_chat, db, clock):  # noqa: ANN001, ANN201
    """A named feedback in Hà Nội answered by its commune official; one in HCMC opened."""
    citizen = make_chat(2001, "Trần Văn Nam")
    await send_feedback(citizen, feedback_walk(anonymous=False, photos=0, phone="0912345678"))
    await send_feedback(citizen, feedback_walk(photos=0, commune_query="ben thanh",
                                               pin=BEN_THANH_PIN, commune_pick="26743"))
    minh = await official(make_chat, db, clock, name="Minh")
    await minh.press_raw("a", "fb_open:1")
    await minh.press("Trả lời")
    await minh.text("Chúng tôi đã cử người kiểm tra.")
    await minh.press("Gửi")
    saigon = await official(make_chat, db, clock, user_id=3002, unit=BEN_THANH, name="Sáu")
    await saigon.press_raw("a", "fb_open:2")
    return minh, saigon


async def test_official_actions_are_logged_without_the_senders_data(make_chat, db, clock):
    minh, _ = await hanoi_and_hcmc_feedback_answered(make_chat, db, clock)
    logged = [(e.actor_id, e.action, e.record_code, e.unit_code, e.province_code, e.channel)
              for e in await entries(db)]
    assert logged == [
        (2, "role.grant", None, "00070", HANOI, "telegram"),
        (2, "feedback.view", "PA-2026-000001", "00070", HANOI, "telegram"),
        (2, "feedback.reply", "PA-2026-000001", "00070", HANOI, "telegram"),
        (3, "role.grant", None, BEN_THANH, HCMC, "telegram"),
        (3, "feedback.view", "PA-2026-000002", BEN_THANH, HCMC, "telegram"),
    ]
    dumped = json.dumps([e.model_dump(mode="json") for e in await entries(db)],
                        ensure_ascii=False)
    for personal in ("Trần Văn Nam", "0912345678", "+84912345678", "2001",
                     "Chúng tôi đã cử người"):
        assert personal not in dumped


async def test_province_officials_read_only_their_provinces_log(make_chat, db, clock):
    minh, saigon = await hanoi_and_hcmc_feedback_answered(make_chat, db, clock)
    province = await official(make_chat, db, clock, user_id=3003, unit=HANOI, level="province",
                              name="Hà")
    await province.command("nhatky")
    shown = province.last.text
    assert shown.startswith("📜 Nhật ký thao tác")
    assert "Minh (#2) · trả lời phản ánh PA-2026-000001 · telegram" in shown
    assert "Minh (#2) · xem phản ánh PA-2026-000001" in shown
    assert "PA-2026-000002" not in shown and "Sáu" not in shown  # another province's
    assert "Trần Văn Nam" not in shown
    await minh.command("nhatky")  # a commune official
    assert minh.last.text.startswith("⛔") and "cấp tỉnh" in minh.last.text
    citizen = make_chat(2001, "Trần Văn Nam")
    await citizen.command("nhatky")
    assert "PA-2026" not in citizen.last.text and "Nhật ký" not in citizen.last.text
    reads = [e for e in await entries(db) if e.action == "audit.view"]
    assert [(e.actor_id, e.province_code) for e in reads] == [(4, HANOI)]


async def test_dvk_audit_exports_csv_and_jsonl_with_filters(make_chat, db, clock, settings,
                                                            capsys):
    await hanoi_and_hcmc_feedback_answered(make_chat, db, clock)
    capsys.readouterr()
    assert await asyncio.to_thread(run, settings, "audit", "--unit", HANOI) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["action"], r["record_code"]) for r in rows] == [
        ("role.grant", ""), ("feedback.view", "PA-2026-000001"),
        ("feedback.reply", "PA-2026-000001")]
    assert await asyncio.to_thread(run, settings, "audit", "--person", "3", "--format",
                                   "jsonl", "--since", "2026-01-01") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["actor_id"], r["action"], r["channel"]) for r in lines] == [
        (3, "role.grant", "telegram"), (3, "feedback.view", "telegram")]
    assert await asyncio.to_thread(run, settings, "audit", "--since", "2999-01-01") == 0
    assert capsys.readouterr().out.splitlines()[1:] == []
    exports = [e for e in await entries(db) if e.action == "audit.export"]
    assert [(e.channel, e.detail) for e in exports] == [
        ("cli", "3 rows, csv"), ("cli", "2 rows, jsonl"), ("cli", "0 rows, csv")]


@pytest.mark.parametrize("statement", [
    "UPDATE auditentry SET action = 'feedback.view', detail = 'rewritten'",
    "DELETE FROM auditentry",
])
async def test_the_database_refuses_to_change_or_delete_audit_rows(make_chat, db, clock,
                                                                   statement):
    await hanoi_and_hcmc_feedback_answered(make_chat, db, clock)
    before = [e.model_dump() for e in await entries(db)]
    with pytest.raises(Exception, match="append-only"):
        async with db.session() as session:
            await session.exec(text(statement))
            await session.commit()
    assert [e.model_dump() for e in await entries(db)] == before
