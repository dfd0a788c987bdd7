"""The outbox as the sender sees it: claiming due messages, recording outcomes, recovering.

`storage/repositories/outbox.py` is how notices get in; this is how they get out. Every state
change a send depends on is committed before the platform is called (claim) or after it
answered (outcome), never in between, so the table always tells what may have been delivered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, exists, or_, true, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.leader import LEASE_NAME
from storage.models import (
    Channel,
    ChannelAccount,
    LeaderLease,
    OutboxMessage,
    OutboxStatus,
    stored_ids,
    table_of,
)


async def due(
    session: AsyncSession, *, now: datetime, limit: int, exclude: Iterable[int] = ()
) -> Sequence[OutboxMessage]:
    """Pending messages whose time has come, oldest first, leaving out those already queued."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
    )
    excluded = list(exclude)
    if excluded:
        query = query.where(col(OutboxMessage.id).not_in(excluded))
    return (await session.exec(query)).all()


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending message becomes due."""
    result = await session.exec(
        select(func.min(OutboxMessage.not_before))
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    return result.one()


async def active_accounts(
    session: AsyncSession, *, person_ids: Iterable[int], channels: Iterable[str]
) -> dict[int, list[ChannelAccount]]:
    """Each person's active accounts on the given channels, most recently used first."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    result = await session.exec(
        select(ChannelAccount)
        .where(col(ChannelAccount.person_id).in_(ids),
               col(ChannelAccount.channel).in_(list(channels)),
               ChannelAccount.active == True)  # noqa: E712
        .order_by(col(ChannelAccount.last_seen_at).desc(), col(ChannelAccount.id).desc())
    )
    accounts: dict[int, list[ChannelAccount]] = {}
    for account in result.all():
        accounts.setdefault(account.person_id, []).append(account)
    return accounts


def _fenced(table: Table, epoch: int | None) -> ColumnElement[bool]:
    """True while `epoch` is the current leader's term (always, for a sole sender)."""
    if epoch is None:
        return true()
    return exists(select(LeaderLease.name).where(LeaderLease.name == LEASE_NAME,
                                                 LeaderLease.epoch == epoch))


async def claim(
    session: AsyncSession, *, ids: Sequence[int], assignments: dict[int, tuple[int, str]],
    epoch: int | None = None,
) -> set[int]:
    """Mark messages `sending` (one attempt more) if they are still pending; returns those
    claimed. `assignments` maps a message to the (account id, channel) it goes through.
    `epoch` is the claiming leader's term: nothing is claimed once a newer term has begun.

    One statement for the batch (a pass claims a few rows many times a second); only when some
    row was changed meanwhile (skipped, released, or the term is over) is it asked which ones
    went through."""
    if not ids:
        return set()
    table = table_of(OutboxMessage)
    result = await session.exec(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.status == OutboxStatus.PENDING,
               _fenced(table, epoch))
        .values(status=OutboxStatus.SENDING, attempts=table.c.attempts + 1,
                account_id=bindparam("b_account"), channel=bindparam("b_channel"),
                claim_epoch=epoch, wire_at=None),
        params=[{"b_id": i, "b_account": assignments[i][0], "b_channel": assignments[i][1]}
                for i in ids],
    )
    if result.rowcount == len(ids):
        return set(ids)
    mine = (col(OutboxMessage.claim_epoch) == epoch) if epoch is not None else true()
    claimed = await session.exec(
        select(OutboxMessage.id).where(col(OutboxMessage.id).in_(list(ids)),
                                       OutboxMessage.status == OutboxStatus.SENDING, mine))
    return set(stored_ids(claimed.all()))


async def mark_on_wire(session: AsyncSession, *, message_id: int, epoch: int | None,
                       now: datetime) -> bool:
    """Just before the request leaves: from now on the message may have been delivered.
    False when it is no longer ours to send (a newer term took it back): do not send."""
    table = table_of(OutboxMessage)
    mine = (table.c.claim_epoch == epoch) if epoch is not None else true()
    result = await session.exec(
        update(table).where(table.c.id == message_id, table.c.status == OutboxStatus.SENDING,
                            mine, _fenced(table, epoch))
        .values(wire_at=now))
    return bool(result.rowcount)


async def record_sent(
    session: AsyncSession, *, sent: Sequence[tuple[int, int]], now: datetime,
    epoch: int | None = None,
) -> None:
    """Messages delivered: (id, parts sent)."""
    if not sent:
        return
    table = table_of(OutboxMessage)
    # Only rows this term claimed: a leader that lost its term still records what it did
    # deliver (a row the next leader found on the wire and left `unconfirmed` becomes `sent`),
    # but never touches a row the next term claimed again.
    mine = (table.c.claim_epoch == epoch) if epoch is not None else true()
    await session.exec(
        update(table).where(table.c.id == bindparam("b_id"), mine,
                            or_(table.c.status == OutboxStatus.SENDING,
                                table.c.status == OutboxStatus.UNCONFIRMED))
        .values(status=OutboxStatus.SENT, sent_at=now, parts_sent=bindparam("b_parts"),
                last_error=None),
        params=[{"b_id": i, "b_parts": parts} for i, parts in sent],
    )


async def save_progress(session: AsyncSession, *, message_id: int, parts_sent: int) -> None:
    await session.exec(
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
        .values(parts_sent=parts_sent)
    )


async def update_message(session: AsyncSession, message_id: int, *,
                         claimed_in: int | None = None, **values: Any) -> None:
    """With `claimed_in`, only if that term claimed the row (an outcome of its send)."""
    mine = (col(OutboxMessage.claim_epoch) == claimed_in) if claimed_in is not None else true()
    await session.exec(
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id, mine).values(**values)
    )


async def update_messages(session: AsyncSession, ids: Sequence[int], **values: Any) -> None:
    if ids:
        await session.exec(
            update(OutboxMessage).where(col(OutboxMessage.id).in_(list(ids))).values(**values)
        )


async def deactivate_account(session: AsyncSession, *, account_id: int) -> None:
    """The person blocked the bot on this account: stop writing to it until they come back."""
    await session.exec(
        update(ChannelAccount).where(col(ChannelAccount.id) == account_id).values(active=False)
    )


async def account_left(session: AsyncSession, *, channel: Channel, external_id: str) -> bool:
    """The person left this channel (unfollowed the Zalo OA): nothing more can be sent to them
    there, so the outbox uses their other channels. Coming back (following, writing) makes the
    account active again."""
    result = await session.exec(
        update(ChannelAccount)
        .where(col(ChannelAccount.channel) == channel,
               col(ChannelAccount.external_id) == external_id)
        .values(active=False))
    return bool(result.rowcount)


async def recover_interrupted(session: AsyncSession, *, resend: bool, note: str,
                              epoch: int | None = None) -> int:
    """Messages left `sending` by a process that stopped mid-send (with `epoch`: by any term
    but this one). Claimed but never on the wire: pending again, certainly not delivered.
    On the wire: pending again (`resend`, at least once) or `unconfirmed` (at most once).
    Returns how many were on the wire."""
    table = table_of(OutboxMessage)
    stale = [table.c.status == OutboxStatus.SENDING]
    if epoch is not None:
        stale.append(or_(table.c.claim_epoch.is_(None), table.c.claim_epoch != epoch))
    await session.exec(
        update(table).where(*stale, table.c.wire_at.is_(None))
        .values(status=OutboxStatus.PENDING, attempts=table.c.attempts - 1))
    values: dict[str, Any] = {"last_error": note}
    values["status"] = OutboxStatus.PENDING if resend else OutboxStatus.UNCONFIRMED
    result = await session.exec(update(table).where(*stale).values(**values))
    return int(result.rowcount or 0)


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    result = await session.exec(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: int(n) for status, n in result.all()}
