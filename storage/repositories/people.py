"""People and their channel accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from storage.models import ChannelAccount, Conversation, Person, id_of

_SEEN_GRANULARITY = timedelta(minutes=5)


@dataclass
class Identity:
    """Who is speaking on this turn: account, person, conversation.

    The conversation is kept out of the session: it changes at every turn, and the engine
    stores it with one statement (`conversations.save`) rather than through the unit of work.
    """

    account: ChannelAccount
    person: Person
    conversation: Conversation


def _identity_query() -> Select[ChannelAccount, Person, Conversation]:
    """Built once: constructing the statement cost more than running it."""
    return (
        select(ChannelAccount, Person, Conversation)
        .join(Person, col(Person.id) == ChannelAccount.person_id)
        .outerjoin(Conversation, col(Conversation.account_id) == ChannelAccount.id)
        .where(ChannelAccount.channel == bindparam("channel"),
               ChannelAccount.external_id == bindparam("external_id"))
    )


_IDENTITY = _identity_query()


_LOCK_CHAT = text(
    "SELECT CASE WHEN pg_try_advisory_xact_lock(hashtextextended(:key, 0)) THEN true "
    "ELSE (SELECT false FROM pg_advisory_xact_lock(hashtextextended(:key, 0))) END")


async def lock_chat(session: AsyncSession, *, channel: str, external_id: str) -> bool:
    """One chat, one turn at a time, across every worker: a transaction-level advisory lock
    on the chat (PostgreSQL; SQLite runs one transaction at a time anyway).

    True when the lock was free. False when another worker's turn held it: this call waited
    for that turn to end, but the transaction's snapshot predates it, so the caller must roll
    back and run the turn again (it then sees what the other turn stored)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    connection = await session.connection()
    result = await connection.execute(_LOCK_CHAT, {"key": f"chat:{channel}:{external_id}"})
    return bool(result.scalar_one())


async def load_identity(
    session: AsyncSession, *, channel: str, external_id: str
) -> Identity | None:
    """Everything a turn needs about its sender, in one query (this runs on every update)."""
    params = {"channel": channel, "external_id": external_id}
    row = (await session.exec(_IDENTITY, params=params)).first()
    if row is None:
        return None
    account, person, conversation = row
    if conversation is None:
        conversation = Conversation(account_id=id_of(account), data={},
                                    updated_at=account.created_at)
    else:
        session.expunge(conversation)
    return Identity(account, person, conversation)


async def create_identity(
    session: AsyncSession, *, channel: str, external_id: str, chat_id: str, display_name: str,
    username: str | None, language: str, now: datetime,
) -> Identity:
    """First contact: a new citizen with one account and an empty conversation."""
    person = Person(display_name=display_name[:200], language=language, created_at=now)
    session.add(person)
    await session.flush()
    account = ChannelAccount(
        person_id=id_of(person), channel=channel, external_id=external_id, chat_id=chat_id,
        username=username, display_name=display_name[:200], created_at=now, last_seen_at=now,
    )
    session.add(account)
    await session.flush()
    conversation = Conversation(account_id=id_of(account), data={}, updated_at=now)
    return Identity(account, person, conversation)


def refresh_account(account: ChannelAccount, *, chat_id: str, display_name: str,
                    username: str | None, now: datetime) -> None:
    """Keep the account's details current, writing only what changed."""
    if now - account.last_seen_at > _SEEN_GRANULARITY or not account.active:
        account.last_seen_at = now
        account.active = True
    if account.chat_id != chat_id:
        account.chat_id = chat_id
    if account.username != username:
        account.username = username
    if display_name and account.display_name != display_name[:200]:
        account.display_name = display_name[:200]


async def get_person(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)
