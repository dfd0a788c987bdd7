"""/console/: the inbox of the official's jurisdiction. Feedback or practices, every status,
filtered (status, category or field, commune, dates, overdue, text without diacritics), sorted
and paged, with counts per status. The filters are a plain GET form, so a filtered inbox is a
link an official can keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from bot.web.console.auth import Desk
from bot.web.console.views import page
from bot.web.keys import SETTINGS
from handlers.clock import from_db, to_db
from handlers.feedback import DEFAULT_CATEGORIES
from handlers.officials.inbox import scope_label
from handlers.officials.jurisdiction import official_scope
from handlers.officials.render import excerpt, unit_label
from handlers.practice_form import FIELDS
from storage.models import FeedbackStatus, PracticeStatus, is_open
from storage.repositories import console_inbox
from storage.repositories.console_inbox import FEEDBACK, PRACTICE, SORTS, InboxQuery, Overdue

PER_PAGE = 25
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Row:
    """One line of the inbox, shaped for the page (never the sender's identity)."""

    id: int
    code: str
    kind: str
    status: str
    status_label: str
    what: str
    category: str
    place: str
    created: str
    overdue: bool
    open: bool


def overdue_limits(request: web.Request, now: datetime) -> Overdue:
    settings = request.app[SETTINGS]
    return Overdue(
        unacknowledged_before=now - timedelta(days=settings.scheduler.escalation_ack_days),
        unresolved_before=now - timedelta(days=settings.scheduler.escalation_resolve_days),
        unreviewed_before=now - timedelta(days=settings.scheduler.review_escalate_days))


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse_query(request: web.Request, desk: Desk) -> tuple[InboxQuery, dict[str, str]]:
    """The inbox's filters from the URL; anything malformed is dropped, never an error."""
    q = request.query
    kind = PRACTICE if q.get("kind") == PRACTICE else FEEDBACK
    statuses = tuple(PracticeStatus if kind == PRACTICE else FeedbackStatus)
    categories = FIELDS if kind == PRACTICE else DEFAULT_CATEGORIES
    tz = desk.ctx.services.tz
    since, until = _day(q.get("from")), _day(q.get("to"))
    page_number = q.get("page", "1")
    query = InboxQuery(
        kind=kind,
        status=q.get("status") if q.get("status") in statuses else None,
        category=q.get("category") if q.get("category") in categories else None,
        commune=q.get("commune") if (q.get("commune") or "").isdigit() else None,
        since=to_db(datetime.combine(since, time(), tz)) if since else None,
        until=to_db(datetime.combine(until + timedelta(days=1), time(), tz)) if until else None,
        overdue=q.get("overdue") == "1",
        text=(q.get("q") or "")[:200],
        sort=q.get("sort", "") if q.get("sort") in SORTS else "newest",
        page=min(int(page_number), MAX_PAGE) if page_number.isdigit() and int(
            page_number) > 0 else 1,
        per_page=PER_PAGE)
    kept = {key: q[key] for key in ("kind", "status", "category", "commune", "from", "to",
                                    "overdue", "q", "sort", "lang") if q.get(key)}
    return query, kept


async def inbox_page(request: web.Request, desk: Desk) -> web.Response:
    ctx = desk.ctx
    scope = official_scope(ctx)
    assert scope is not None  # official_page checked it
    now = ctx.now
    limits = overdue_limits(request, to_db(now))
    query, kept = parse_query(request, desk)
    found = await console_inbox.list_inbox(ctx.session, scope=scope, query=query,
                                           limits=limits)
    communes = await console_inbox.communes_in_scope(ctx.session, scope=scope, kind=query.kind)
    rows = [_row(desk, item, query.kind, limits) for item in found.items]
    pages = max(1, -(-found.total // query.per_page))
    statuses = list(PracticeStatus if query.kind == PRACTICE else FeedbackStatus)
    categories = FIELDS if query.kind == PRACTICE else DEFAULT_CATEGORIES
    t = ctx.t
    return page(
        request, desk, "console/inbox.html",
        query=query, kept=kept, rows=rows, total=found.total, page_number=query.page,
        pages=pages, where=scope_label(ctx, scope),
        counts=[(s.value, t(f"status.{'practice' if query.kind == PRACTICE else 'feedback'}."
                             f"{s.value}"), found.counts.get(s.value, 0)) for s in statuses],
        categories=[(c, t(f"option.{'field' if query.kind == PRACTICE else 'category'}.{c}"))
                    for c in categories],
        communes=[(code, unit_label(ctx, code)) for code in communes],
        sorts=[(s, t(f"console.sort.{s}")) for s in SORTS],
        link=lambda **changes: _link(kept, changes),
        now_date=ctx.local(now).date().isoformat())


def _link(kept: dict[str, str], changes: dict[str, object]) -> str:
    params = {**kept, **{k: str(v) for k, v in changes.items() if v not in (None, "")}}
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
    return "/console/?" + urlencode(params) if params else "/console/"


def _row(desk: Desk, item, kind: str, limits: Overdue) -> Row:  # noqa: ANN001
    ctx, t = desk.ctx, desk.ctx.t
    created = from_db(item.created_at)
    if kind == PRACTICE:
        overdue = (item.status == PracticeStatus.SUBMITTED
                   and from_db(item.updated_at) < limits.unreviewed_before)
        return Row(item.id, item.code or "", kind, item.status,
                   t(f"status.practice.{item.status}"), excerpt(item.title, 120),
                   t(f"option.field.{item.field}"), unit_label(ctx, item.commune_code),
                   ctx.local(created).strftime("%d/%m/%Y %H:%M"), overdue,
                   item.status == PracticeStatus.SUBMITTED)
    waiting = item.status in (FeedbackStatus.NEW, FeedbackStatus.FORWARDED)
    overdue = is_open(item.status) and (
        (waiting and created < limits.unacknowledged_before)
        or created < limits.unresolved_before)
    return Row(item.id, item.code or "", kind, item.status, t(f"status.feedback.{item.status}"),
               excerpt(item.text, 120), t(f"option.category.{item.category}"),
               unit_label(ctx, item.commune_code), ctx.local(created).strftime("%d/%m/%Y %H:%M"),
               overdue, is_open(item.status))

