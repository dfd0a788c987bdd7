"""The outbox's fencing token: a leader that lost its term (its lock session died, and another
worker took over before it noticed) can neither claim, nor put a message on the wire, nor
overwrite what the next term decided; the next term resends exactly what was certainly not
delivered. Runs on SQLite and on PostgreSQL (the same statements)."""

from __future__ import annotations

from datetime import timedelta

from storage.leader import PostgresLeaderLock, SoleProcessLock
from storage.models import OutboxStatus
from storage.repositories import delivery
from tests.scheduler.factories import queue, row
from tests.support.factories import add_person


async def new_term(database_url: str, worker: str) -> int:
    """Begin a new term, as a worker taking over would, and return its epoch."""
    if database_url.startswith("sqlite"):
        lock = SoleProcessLock(database_url, worker=worker)
    else:
        lock = PostgresLeaderLock(database_url, worker=worker, lease_seconds=15)
    try:
        epoch = await lock.try_acquire()
        assert epoch is not None
        return epoch
    finally:
        lock.abort()  # the session (or file) goes: like a leader that died


async def claim(db, message, account_id: int, epoch: int) -> set[int]:  # noqa: ANN001
    async with db.session() as session:
        claimed = await delivery.claim(session, ids=[message.id],
                                       assignments={message.id: (account_id, "telegram")},
                                       epoch=epoch)
        await session.commit()
    return claimed


async def on_wire(db, message, epoch: int, now) -> bool:  # noqa: ANN001
    async with db.session() as session:
        ours = await delivery.mark_on_wire(session, message_id=message.id, epoch=epoch, now=now)
        await session.commit()
    return ours


async def test_a_deposed_leader_is_fenced_off_and_the_next_resends_only_the_undelivered(
        db, clock, database_url):
    now = clock.now()
    person = await add_person(db, now=now, telegram=9_900_001)
    async with db.session() as session:
        account_id = (await delivery.active_accounts(
            session, person_ids=[person.id], channels=["telegram"]))[person.id][0].id
    wired = await queue(db, person.id, "n:1", "Một", now=now)
    claimed_only = await queue(db, person.id, "n:2", "Hai", now=now + timedelta(seconds=1))
    later = await queue(db, person.id, "n:3", "Ba", now=now + timedelta(seconds=2))

    old = await new_term(database_url, "old")
    assert await claim(db, wired, account_id, old) == {wired.id}
    assert await claim(db, claimed_only, account_id, old) == {claimed_only.id}
    assert await on_wire(db, wired, old, now)  # its request leaves; then the session dies

    new = await new_term(database_url, "new")
    assert new == old + 1
    assert await claim(db, later, account_id, old) == set()  # the old term claims nothing
    assert await on_wire(db, claimed_only, old, now) is False  # nor sends what it claimed
    async with db.session() as session:
        assert await delivery.recover_interrupted(session, resend=False, note="x",
                                                  epoch=new) == 1
        await session.commit()
    assert (await row(db, "n:1")).status == OutboxStatus.UNCONFIRMED  # maybe delivered
    taken_back = await row(db, "n:2")
    assert (taken_back.status, taken_back.attempts) == (OutboxStatus.PENDING, 0)
    assert (await row(db, "n:3")).status == OutboxStatus.PENDING

    # The old leader's request did get through: it may still say so, and only that.
    async with db.session() as session:
        await delivery.record_sent(session, sent=[(wired.id, 1), (claimed_only.id, 1)],
                                   now=now, epoch=old)
        await session.commit()
    assert (await row(db, "n:1")).status == OutboxStatus.SENT
    assert (await row(db, "n:2")).status == OutboxStatus.PENDING  # not its to record
    assert await claim(db, claimed_only, account_id, new) == {claimed_only.id}
    assert await on_wire(db, claimed_only, new, now)
