"""People and their channel accounts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChannelAccount, Person


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
) -> tuple[ChannelAccount, Person]:
    """The account behind a sender, created with a new citizen on first contact."""
    account = (
        await session.exec(
            select(ChannelAccount).where(
                ChannelAccount.channel == channel, ChannelAccount.external_id == external_id
            )
        )
    ).first()
    if account is None:
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
        return account, person
    person = await session.get(Person, account.person_id)
    assert person is not None
    account.last_seen_at = now
    account.active = True
    account.chat_id = chat_id
    account.username = username
    if display_name:
        account.display_name = display_name[:200]
    return account, person


async def get_person(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)
