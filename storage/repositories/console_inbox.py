"""The console's inbox: feedback or practices of one jurisdiction (`Scope`), any status, with
filters, sorting, paging and counts per status. Everything the console lists is read here.

Text search ignores diacritics: the words are matched against the folded title/text in Python
(`fold`), after every other filter narrowed the rows in SQL, so it behaves the same on SQLite
and PostgreSQL without an extension."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    OPEN_FEEDBACK_STATUSES,
    Feedback,
    FeedbackStatus,
    Practice,
    PracticeStatus,
)
from storage.repositories.officials import Scope
from storage.unit_names import fold

FEEDBACK, PRACTICE = "feedback", "practice"
SORTS = ("newest", "oldest", "status", "commune", "code")
MAX_TEXT_CANDIDATES = 20_000
"""Rows a text search folds at most (the newest first), so one query stays bounded."""


@dataclass(frozen=True)
class InboxQuery:
    kind: str = FEEDBACK
    status: str | None = None
    category: str | None = None
    """A feedback's category, or a practice's field."""
    commune: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    """Exclusive."""
    overdue: bool = False
    text: str = ""
    sort: str = "newest"
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class Overdue:
    """When an open item counts as overdue: feedback not yet taken up (new or forwarded)
    before `unacknowledged_before`, any open feedback before `unresolved_before`, a practice
    waiting for review since before `unreviewed_before`."""

    unacknowledged_before: datetime
    unresolved_before: datetime
    unreviewed_before: datetime


@dataclass(frozen=True)
class InboxPage:
    items: Sequence[Feedback] | Sequence[Practice]
    total: int
    counts: dict[str, int]
    """Per status, within the jurisdiction and every filter but the status."""


def _feedback_overdue(limits: Overdue) -> Any:
    waiting = col(Feedback.status).in_((FeedbackStatus.NEW, FeedbackStatus.FORWARDED))
    return or_(and_(waiting, col(Feedback.created_at) < limits.unacknowledged_before),
               and_(col(Feedback.status).in_(OPEN_FEEDBACK_STATUSES),
                    col(Feedback.created_at) < limits.unresolved_before))


def _conditions(query: InboxQuery, scope: Scope, limits: Overdue) -> tuple[Any, list[Any]]:
    """The model and every condition but the status."""
    if query.kind == PRACTICE:
        model: Any = Practice
        where = [scope.practice_clause()]
        if query.category:
            where.append(col(Practice.field) == query.category)
        if query.commune:
            where.append(col(Practice.commune_code) == query.commune)
        if query.overdue:
            where += [col(Practice.status) == PracticeStatus.SUBMITTED,
                      col(Practice.updated_at) < limits.unreviewed_before]
    else:
        model = Feedback
        where = [scope.feedback_clause()]
        if query.category:
            where.append(col(Feedback.category) == query.category)
        if query.commune:
            where.append(col(Feedback.commune_code) == query.commune)
        if query.overdue:
            where.append(_feedback_overdue(limits))
    if query.since:
        where.append(col(model.created_at) >= query.since)
    if query.until:
        where.append(col(model.created_at) < query.until)
    return model, where


def _order(model: Any, sort: str) -> list[Any]:
    newest = [col(model.created_at).desc(), col(model.id).desc()]
    orders: dict[str, list[Any]] = {
        "oldest": [col(model.created_at), col(model.id)],
        "status": [col(model.status), *newest],
        "commune": [col(model.commune_code), *newest],
        "code": [col(model.code)],
    }
    return orders.get(sort, newest)


async def _text_matches(session: AsyncSession, model: Any, where: list[Any],
                        text: str) -> list[int]:
    words = fold(text).split()
    searched = (model.title, model.description) if model is Practice else (model.text,)
    rows = (await session.exec(
        select(model.id, model.code, *searched).where(*where)
        .order_by(col(model.id).desc()).limit(MAX_TEXT_CANDIDATES))).all()
    found = []
    for row in rows:
        haystack = fold(" ".join(str(part or "") for part in row[1:]))
        if all(word in haystack for word in words):
            found.append(row[0])
    return found


async def list_inbox(session: AsyncSession, *, scope: Scope, query: InboxQuery,
                     limits: Overdue) -> InboxPage:
    model, where = _conditions(query, scope, limits)
    if query.text.strip():
        where.append(col(model.id).in_(await _text_matches(session, model, where, query.text)))
    counts = dict((await session.exec(
        select(model.status, func.count()).where(*where).group_by(model.status))).all())
    if query.status:
        where.append(col(model.status) == query.status)
    total = (await session.exec(select(func.count()).select_from(model).where(*where))).one()
    items = (await session.exec(
        select(model).where(*where).order_by(*_order(model, query.sort))
        .offset((max(query.page, 1) - 1) * query.per_page).limit(query.per_page))).all()
    return InboxPage(items, total, counts)


async def communes_in_scope(session: AsyncSession, *, scope: Scope, kind: str) -> list[str]:
    """The communes that have items in the jurisdiction, for the commune filter."""
    if kind == PRACTICE:
        rows = await session.exec(select(Practice.commune_code).where(
            scope.practice_clause()).distinct())
    else:
        rows = await session.exec(select(Feedback.commune_code).where(
            scope.feedback_clause()).distinct())
    return sorted(rows.all())
