"""One person across channels: one-time link codes, merging two people into one, and where a
person's notifications go (the outbox asks `choose_account`).

Merging moves every row that points at the person who goes away, found from the table models'
foreign keys rather than from a hand-kept list, so a table added later follows without a change
here. Where a unique constraint would be broken (both people voted on the same practice), the
surviving person's row is kept.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    Delete,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    delete,
    exists,
    update,
)
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChannelAccount, DeliveryFallback, LinkCode, Person, Role

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud without doubt
CODE_LENGTH = 8  # 32**8 ≈ 10**12 codes, valid for minutes: not guessable
_NOT_CODE = re.compile(r"[^A-Z0-9]")
ROLE_RANK: dict[str, int] = {Role.CITIZEN: 0, Role.OFFICIAL: 1, Role.ADMIN: 2}


class LinkProblem(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"  # never issued, already used, or replaced by a newer code
    EXPIRED = "expired"
    SAME_PERSON = "same_person"
    CONFLICT = "conflict"  # two officials of different jurisdictions: not one person


# -- codes -------------------------------------------------------------------------------------


def normalise_code(text: str) -> str | None:
    """"abcd-efgh", "ABCD EFGH" → "ABCDEFGH"; None if it cannot be a code."""
    code = _NOT_CODE.sub("", text.upper())
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def issue_code(session: AsyncSession, *, person_id: int, channel: str, now: datetime,
                     ttl: timedelta) -> str:
    """A new code for this person; any code they asked for before stops working."""
    await session.exec(
        delete(LinkCode).where(col(LinkCode.person_id) == person_id,
                               col(LinkCode.used_at).is_(None)))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(LinkCode(code_hash=_hash(code), person_id=person_id, channel=channel,
                         created_at=now, expires_at=now + ttl))
    await session.flush()
    return code


async def find_code(session: AsyncSession, *, text: str,
                    now: datetime) -> LinkCode | LinkProblem:
    code = normalise_code(text)
    if code is None:
        return LinkProblem.MALFORMED
    found = (await session.exec(
        select(LinkCode).where(LinkCode.code_hash == _hash(code)))).first()
    if found is None or found.used_at is not None:
        return LinkProblem.UNKNOWN
    if _aware(found.expires_at) <= now:
        return LinkProblem.EXPIRED
    return found


def mark_used(code: LinkCode, *, account_id: int, now: datetime) -> None:
    code.used_at = now
    code.used_by_account_id = account_id


# -- merging -----------------------------------------------------------------------------------


def merge_problem(keep: Person, drop: Person) -> LinkProblem | None:
    if keep.id == drop.id:
        return LinkProblem.SAME_PERSON
    both_officials = min(_rank(keep), _rank(drop)) > 0
    if both_officials and (keep.level, keep.unit_code) != (drop.level, drop.unit_code):
        return LinkProblem.CONFLICT
    return None


async def merge_people(session: AsyncSession, *, keep: Person, drop: Person) -> None:
    """Make `drop` part of `keep`: accounts, practices, feedback, votes, pending messages and
    everything else that points at `drop` now points at `keep`, then `drop` is deleted. The
    higher role wins, with its level and jurisdiction."""
    assert keep.id is not None and drop.id is not None and merge_problem(keep, drop) is None
    for table, column in _person_references():
        for unique in _unique_sets(table, column):
            await session.exec(_delete_clashes(table, column, unique, keep.id, drop.id))
        await session.exec(
            update(table).where(column == drop.id).values({column.name: keep.id}))
    if _rank(drop) > _rank(keep):
        keep.role, keep.level, keep.unit_code = drop.role, drop.level, drop.unit_code
    keep.display_name = keep.display_name or drop.display_name
    keep.notify_channel = keep.notify_channel or drop.notify_channel
    session.add(keep)
    await session.delete(drop)
    await session.flush()


def _rank(person: Person) -> int:
    return ROLE_RANK.get(person.role, 0)


def _person_references() -> list[tuple[Table, Column[Any]]]:
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == Person.__tablename__ and fk.column.name == "id"
                   for fk in column.foreign_keys):
                found.append((table, column))
    return found


def _unique_sets(table: Table, column: Column[Any]) -> list[list[Column[Any]]]:
    """Column sets that must be unique and include `column`."""
    sets = [list(c.columns) for c in table.constraints
            if isinstance(c, UniqueConstraint | PrimaryKeyConstraint)
            and c.contains_column(column)]
    sets += [list(index.columns) for index in table.indexes
             if index.unique and any(c is column for c in index.columns)]
    if column.unique:
        sets.append([column])
    return sets


def _delete_clashes(table: Table, column: Column[Any], unique: list[Column[Any]], keep_id: int,
                    drop_id: int) -> Delete:
    """Rows of `drop` that would duplicate a row of `keep` once moved."""
    other = table.alias("kept")
    same = [other.c[c.name] == c for c in unique if c.name != column.name]
    clash = exists(sa_select(other.c[column.name]).where(other.c[column.name] == keep_id, *same))
    return delete(table).where(column == drop_id, clash)


# -- where notifications go --------------------------------------------------------------------


async def accounts_of(session: AsyncSession, *, person_id: int) -> Sequence[ChannelAccount]:
    return (await session.exec(
        select(ChannelAccount).where(ChannelAccount.person_id == person_id)
        .order_by(col(ChannelAccount.last_seen_at).desc(), col(ChannelAccount.id).desc())
    )).all()


async def notify_preferences(session: AsyncSession, *,
                             person_ids: Iterable[int]) -> dict[int, str | None]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = await session.exec(
        select(Person.id, Person.notify_channel).where(col(Person.id).in_(ids)))
    return {person_id: channel for person_id, channel in rows.all() if person_id is not None}


async def failed_accounts(session: AsyncSession, *,
                          message_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each message, the accounts it already failed through for good."""
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    rows = await session.exec(
        select(DeliveryFallback.message_id, DeliveryFallback.account_id)
        .where(col(DeliveryFallback.message_id).in_(ids)))
    failed: dict[int, set[int]] = {}
    for message_id, account_id in rows.all():
        failed.setdefault(message_id, set()).add(account_id)
    return failed


def choose_account(accounts: Sequence[ChannelAccount], *, preferred: str | None,
                   failed: AbstractSet[int] = frozenset()) -> ChannelAccount | None:
    """The account a message goes through: on the person's chosen channel if they have one
    there, otherwise the one used last; never one the message already failed through."""
    usable = [a for a in accounts if a.id not in failed]
    chosen = [a for a in usable if a.channel == preferred]
    return next(iter(chosen or usable), None)


def record_fallback(session: AsyncSession, *, message_id: int, account_id: int, channel: str,
                    error: str, now: datetime) -> None:
    session.add(DeliveryFallback(message_id=message_id, account_id=account_id, channel=channel,
                                 error=error[:500], created_at=now))


async def fallbacks_of(session: AsyncSession, *, message_id: int) -> Sequence[DeliveryFallback]:
    return (await session.exec(
        select(DeliveryFallback).where(DeliveryFallback.message_id == message_id)
        .order_by(col(DeliveryFallback.id)))).all()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
