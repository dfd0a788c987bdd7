"""Routing to the nearest level that has an official, through the engine and real storage: a
feedback goes to its commune's officials; with none there, to its province's; with none there
either, to the central level's. Each notice reaches only them, and the inbox agrees."""

from __future__ import annotations

import pytest

from scheduler.outbox import OutboxWorker
from tests.handlers.test_feedback import send_feedback
from tests.support.factories import make_invite
from tests.support.officials import HANOI, HOAN_KIEM, THANH_XUAN, RecordingChannel, feedback_walk

COMMUNE, PROVINCE, CENTRE = 3001, 3002, 3003


@pytest.fixture
def outbox(db, clock):  # noqa: ANN001, ANN201
    channel = RecordingChannel()
    return channel, OutboxWorker(db, {"telegram": channel}, clock)


async def official(make_chat, db, clock, user_id: int, name: str, *,  # noqa: ANN001, ANN201
                   unit: str | None, level: str):
    chat = make_chat(user_id, name)
    await chat.command("start", await make_invite(db, clock, unit=unit, level=level))
    assert "Chào mừng" in chat.last.text
    return chat


def told(channel: RecordingChannel, code: str) -> set[int]:
    """Which officials were told of a new feedback."""
    return {user for user in (COMMUNE, PROVINCE, CENTRE)
            if any(f"Phản ánh mới {code}" in text for text in channel.texts(user))}


async def test_feedback_climbs_to_the_nearest_level_that_has_an_official(
        make_chat, db, clock, outbox) -> None:  # noqa: ANN001
    channel, worker = outbox
    hoa = make_chat(2001, "Hoa")
    tuan = await official(make_chat, db, clock, CENTRE, "Tuấn", unit=None, level="central")

    receipt = await send_feedback(hoa, feedback_walk(photos=0))  # PA-2026-000001, Hoàn Kiếm
    assert "PA-2026-000001" in receipt and "Hiện chưa có cán bộ" not in receipt
    await worker.drain()
    assert told(channel, "PA-2026-000001") == {CENTRE}  # nobody below: the central level

    lan = await official(make_chat, db, clock, PROVINCE, "Lan", unit=HANOI, level="province")
    await send_feedback(hoa, feedback_walk(photos=0))  # PA-2026-000002, Hoàn Kiếm
    await worker.drain()
    assert told(channel, "PA-2026-000002") == {PROVINCE}  # the province, not the centre

    minh = await official(make_chat, db, clock, COMMUNE, "Minh", unit=HOAN_KIEM,
                          level="commune")
    await send_feedback(hoa, feedback_walk(photos=0))  # PA-2026-000003, Hoàn Kiếm
    await send_feedback(hoa, feedback_walk(  # PA-2026-000004, Thanh Xuân: no official there
        photos=0, commune_query="thanh xuan", commune_pick=THANH_XUAN))
    await worker.drain()
    assert told(channel, "PA-2026-000003") == {COMMUNE}
    assert told(channel, "PA-2026-000004") == {PROVINCE}

    # Each inbox shows its jurisdiction: the commune its own, the province and centre all.
    await minh.command("hopthu")
    assert "PA-2026-000003" in minh.last.text and "PA-2026-000004" not in minh.last.text
    for chat in (lan, tuan):
        await chat.command("hopthu")
        assert all(f"PA-2026-00000{n}" in chat.last.text for n in (1, 2, 3, 4))
