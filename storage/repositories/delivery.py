"""The outbox as the sender sees it: claiming due messages, recording outcomes, recovering.

`storage/repositories/outbox.py` is how notices get in; this is how they get out. Every state
change a send depends on is committed before the platform is called (claim) or after it
answered (outcome), never in between, so the table always tells what may have been delivered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChannelAccount, OutboxMessage, OutboxStatus


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


async def claim(
    session: AsyncSession, *, ids: Sequence[int], assignments: dict[int, tuple[int, str]]
) -> set[int]:
    """Mark messages `sending` (one attempt more) if they are still pending; returns those
    claimed. `assignments` maps a message to the (account id, channel) it goes through.

    One statement for the batch (a pass claims a few rows many times a second); only when some
    row was changed meanwhile (skipped, released) is it asked which ones went through. That
    check relies on one sender per database: no one else marks rows `sending`."""
    if not ids:
        return set()
    table = OutboxMessage.__table__
    result = await session.exec(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, attempts=table.c.attempts + 1,
                account_id=bindparam("b_account"), channel=bindparam("b_channel")),
        params=[{"b_id": i, "b_account": assignments[i][0], "b_channel": assignments[i][1]}
                for i in ids],
    )
    if result.rowcount == len(ids):
        return set(ids)
    claimed = await session.exec(
        select(OutboxMessage.id).where(col(OutboxMessage.id).in_(list(ids)),
                                       OutboxMessage.status == OutboxStatus.SENDING))
    return set(claimed.all())


async def record_sent(
    session: AsyncSession, *, sent: Sequence[tuple[int, int]], now: datetime
) -> None:
    """Messages delivered: (id, parts sent)."""
    if not sent:
        return
    table = OutboxMessage.__table__
    await session.exec(
        update(table).where(table.c.id == bindparam("b_id"))
        .values(status=OutboxStatus.SENT, sent_at=now, parts_sent=bindparam("b_parts"),
                last_error=None),
        params=[{"b_id": i, "b_parts": parts} for i, parts in sent],
    )


async def save_progress(session: AsyncSession, *, message_id: int, parts_sent: int) -> None:
    await session.exec(
        update(OutboxMessage).where(OutboxMessage.id == message_id)
        .values(parts_sent=parts_sent)
    )


async def update_message(session: AsyncSession, message_id: int, **values: Any) -> None:
    await session.exec(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def update_messages(session: AsyncSession, ids: Sequence[int], **values: Any) -> None:
    if ids:
        await session.exec(
            update(OutboxMessage).where(col(OutboxMessage.id).in_(list(ids))).values(**values)
        )


async def deactivate_account(session: AsyncSession, *, account_id: int) -> None:
    """The person blocked the bot on this account: stop writing to it until they come back."""
    await session.exec(
        update(ChannelAccount).where(ChannelAccount.id == account_id).values(active=False)
    )


async def recover_interrupted(session: AsyncSession, *, resend: bool, note: str) -> int:
    """Messages left `sending` by a process that stopped mid-send: pending again (`resend`,
    at least once) or `unconfirmed` (at most once). Returns how many."""
    values: dict[str, Any] = {"last_error": note}
    values["status"] = OutboxStatus.PENDING if resend else OutboxStatus.UNCONFIRMED
    result = await session.exec(
        update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING).values(**values)
    )
    return int(result.rowcount or 0)


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    result = await session.exec(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: int(n) for status, n in result.all()}
