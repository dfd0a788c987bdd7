"""What a consent test reads back from the database."""

from __future__ import annotations

from sqlmodel import select

from handlers.consent import current_version
from storage.db import Database
from storage.models import ChannelAccount, Consent, Person


async def consents_of(db: Database, channel: str, external_id: str) -> tuple[Person, list]:
    """The person behind a channel account, and their consent rows as (version, decision,
    channel)."""
    async with db.session() as session:
        account = (await session.exec(select(ChannelAccount).where(
            ChannelAccount.channel == channel,
            ChannelAccount.external_id == external_id))).one()
        person = await session.get(Person, account.person_id)
        rows = (await session.exec(select(Consent).where(
            Consent.person_id == person.id).order_by(Consent.id))).all()
    return person, [(r.version, r.decision, r.channel) for r in rows]


async def assert_consent_stored(db: Database, channel: str, external_id: str) -> None:
    person, rows = await consents_of(db, channel, external_id)
    assert person.consent_version == current_version() == "2026-12"
    assert rows == [("2026-12", "given", channel)]
