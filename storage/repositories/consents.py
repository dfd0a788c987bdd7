"""Consent to the privacy notice: the person's current answer sits on `Person.consent_version`
(read with the person at every turn, no extra query), its history in `Consent` rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Consent, ConsentDecision, Person


async def record(session: AsyncSession, *, person: Person, version: str, decision: str,
                 channel: str, now: datetime) -> Consent:
    assert person.id is not None
    row = Consent(person_id=person.id, version=version, decision=decision, channel=channel,
                  at=now)
    person.consent_version = version if decision == ConsentDecision.GIVEN else None
    session.add(row)
    session.add(person)
    await session.flush()
    return row


async def history_of(session: AsyncSession, person_id: int) -> Sequence[Consent]:
    return (await session.exec(select(Consent).where(Consent.person_id == person_id)
                               .order_by(col(Consent.id)))).all()
