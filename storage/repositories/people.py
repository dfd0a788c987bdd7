"""People and their channel accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChannelAccount, Conversation, Person


_SEEN_GRANULARITY = timedelta(minutes=5)


async def get_or_create_account(
    session: AsyncSession,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str,
    username: str | None,
    language: str,
    now: datetime,
) -> tuple[ChannelAccount, Person, Conversation]:
    """The account behind a sender, its person and conversation, in one query.

    First contact creates a citizen. This runs on every update, so it reads once and writes
    only what changed (last-seen is refreshed at most every few minutes).
    """
    row = (
        await session.exec(
            select(ChannelAccount, Person, Conversation)
            .join(Person, Person.id == ChannelAccount.person_id)
            .outerjoin(Conversation, Conversation.account_id == ChannelAccount.id)
            .where(ChannelAccount.channel == channel, ChannelAccount.external_id == external_id)
        )
    ).first()
    if row is None:
        person = Person(display_name=display_name[:200], language=language, created_at=now)
        session.add(person)
        await session.flush()
        account = ChannelAccount(
            person_id=person.id, channel=channel, external_id=external_id, chat_id=chat_id,
            username=username, display_name=display_name[:200], created_at=now,
            last_seen_at=now,
        )
        session.add(account)
        await session.flush()
        conversation = Conversation(account_id=account.id, data={}, updated_at=now)
        session.add(conversation)
        return account, person, conversation
    account, person, conversation = row
    if conversation is None:
        conversation = Conversation(account_id=account.id, data={}, updated_at=now)
        session.add(conversation)
    if now - account.last_seen_at > _SEEN_GRANULARITY or not account.active:
        account.last_seen_at = now
        account.active = True
    if account.chat_id != chat_id:
        account.chat_id = chat_id
    if account.username != username:
        account.username = username
    if display_name and account.display_name != display_name[:200]:
        account.display_name = display_name[:200]
    return account, person, conversation


async def get_person(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)
