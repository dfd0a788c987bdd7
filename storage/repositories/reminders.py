"""What the scheduler has done (reminder runs) and what it queues (scheduled outbox rows), and
the things it reminds people about (drafts, practices awaiting changes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    OPEN_FEEDBACK_STATUSES,
    ChannelAccount,
    Conversation,
    Feedback,
    FeedbackEvent,
    OutboxMessage,
    OutboxStatus,
    Person,
    Practice,
    PracticeStatus,
    ReminderRun,
    id_of,
)


async def run_keys(session: AsyncSession, *, keys: Iterable[str]) -> set[str]:
    """Which of these occurrences were already processed."""
    wanted = list(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        result = await session.exec(
            select(ReminderRun.key).where(col(ReminderRun.key).in_(wanted[start:start + 500])))
        found.update(result.all())
    return found


async def record_run(
    session: AsyncSession,
    *,
    key: str,
    deadline_id: int | None,
    fire_at: datetime,
    status: str,
    recipients: int,
    note: str | None,
    now: datetime,
) -> None:
    session.add(ReminderRun(key=key, deadline_id=deadline_id, fire_at=fire_at, status=status,
                            recipients=recipients, note=note, processed_at=now))
    await session.flush()


async def outbox_keys(session: AsyncSession, *, keys: Iterable[str]) -> set[str]:
    """Which of these idempotency keys are already in the outbox (in any state)."""
    wanted = list(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        result = await session.exec(
            select(OutboxMessage.idempotency_key)
            .where(col(OutboxMessage.idempotency_key).in_(wanted[start:start + 500])))
        found.update(result.all())
    return found


async def schedule(
    session: AsyncSession,
    *,
    key: str,
    person_id: int,
    payload: list[dict[str, Any]],
    now: datetime,
    not_before: datetime,
    expires_at: datetime | None,
    quiet_hours: bool = True,
) -> bool:
    """Queue a scheduled message unless its key exists; True if queued."""
    if await outbox_keys(session, keys=[key]):
        return False
    session.add(OutboxMessage(idempotency_key=key, person_id=person_id, payload=payload,
                              not_before=not_before, created_at=now, expires_at=expires_at,
                              quiet_hours=quiet_hours))
    await session.flush()
    return True


async def record_skipped(
    session: AsyncSession, *, key: str, person_id: int, now: datetime, reason: str
) -> bool:
    """Record that a per-person reminder was not sent (and why), so it is never sent later."""
    if await outbox_keys(session, keys=[key]):
        return False
    session.add(OutboxMessage(idempotency_key=key, person_id=person_id, payload=[],
                              status=OutboxStatus.SKIPPED, not_before=now, created_at=now,
                              last_error=reason[:500]))
    await session.flush()
    return True


async def stale_drafts(
    session: AsyncSession, *, touched_before: datetime, touched_after: datetime
) -> Sequence[tuple[Conversation, ChannelAccount]]:
    """Conversations in the middle of a flow, last touched in (touched_after, touched_before]."""
    result = await session.exec(
        select(Conversation, ChannelAccount)
        .join(ChannelAccount, col(ChannelAccount.id) == col(Conversation.account_id))
        .where(col(Conversation.flow).is_not(None),
               Conversation.updated_at <= touched_before,
               Conversation.updated_at > touched_after)
        .order_by(col(Conversation.id))
    )
    return result.all()


async def practices_awaiting_changes(
    session: AsyncSession, *, changed_before: datetime, changed_after: datetime
) -> Sequence[Practice]:
    """Practices sent back to their leader for changes in (changed_after, changed_before]."""
    result = await session.exec(
        select(Practice)
        .where(Practice.status == PracticeStatus.CHANGES_REQUESTED,
               Practice.updated_at <= changed_before,
               Practice.updated_at > changed_after)
        .order_by(col(Practice.id))
    )
    return result.all()


async def practices_awaiting_review(
    session: AsyncSession, *, waiting_since_before: datetime
) -> Sequence[Practice]:
    """Practices awaiting review since before an instant (sent, or sent again after changes:
    either sets `updated_at`, and nothing else touches a practice awaiting review), oldest
    first."""
    result = await session.exec(
        select(Practice)
        .where(Practice.status == PracticeStatus.SUBMITTED,
               Practice.updated_at <= waiting_since_before)
        .order_by(col(Practice.updated_at), col(Practice.id))
    )
    return result.all()


async def people(session: AsyncSession, *, ids: Iterable[int]) -> dict[int, Person]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    result = await session.exec(select(Person).where(col(Person.id).in_(wanted)))
    return {id_of(person): person for person in result.all()}


async def open_feedback(session: AsyncSession, *, received_before: datetime) -> Sequence[Feedback]:
    """Open feedback received before an instant, oldest first."""
    result = await session.exec(
        select(Feedback)
        .where(col(Feedback.status).in_(OPEN_FEEDBACK_STATUSES),
               Feedback.created_at <= received_before)
        .order_by(col(Feedback.created_at), col(Feedback.id))
    )
    return result.all()


async def feedback_events(
    session: AsyncSession, *, feedback_ids: Iterable[int], kinds: Iterable[str]
) -> dict[int, list[FeedbackEvent]]:
    """Events of these kinds for each feedback, oldest first."""
    ids, wanted = sorted(set(feedback_ids)), list(kinds)
    events: dict[int, list[FeedbackEvent]] = {}
    for start in range(0, len(ids), 500):
        result = await session.exec(
            select(FeedbackEvent)
            .where(col(FeedbackEvent.feedback_id).in_(ids[start:start + 500]),
                   col(FeedbackEvent.kind).in_(wanted))
            .order_by(col(FeedbackEvent.created_at), col(FeedbackEvent.id)))
        for event in result.all():
            events.setdefault(event.feedback_id, []).append(event)
    return events


