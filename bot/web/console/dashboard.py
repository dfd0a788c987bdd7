"""/console/dashboard: the figures of the periodic report for the official's jurisdiction and any
period (the report's own queries and arithmetic: scheduler/reports.py `gather` and `compute`),
as tables and bars drawn on the server (inline SVG: no chart library to serve), each table
downloadable as CSV, and the XLSX report itself for the same period. Feedback appear as counts
only: no sender, named or not."""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.web.console.auth import Desk
from bot.web.console.inbox import overdue_limits
from bot.web.console.views import page
from handlers.clock import to_db
from handlers.feedback import DEFAULT_CATEGORIES
from handlers.officials import audit
from handlers.officials.inbox import scope_label
from handlers.officials.jurisdiction import official_scope
from handlers.periods import Period, parse_period
from handlers.practice_form import FIELDS
from scheduler.reports import compute, gather, report_filename, write_workbook
from storage.models import FeedbackStatus, Level, PracticeStatus
from storage.repositories import console_inbox
from storage.repositories.console_inbox import InboxQuery
from storage.repositories.officials import Scope

CHARTS = ("practices", "recognitions", "feedback", "timings")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    """One figure: a header and rows, the first column a label; `bars` the (label, value) the
    page draws."""

    name: str
    title: str
    header: list[str]
    rows: list[list[object]]
    bars: list[tuple[str, float]]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue()


def _period(desk: Desk, raw: str) -> tuple[Period, bool]:
    today = desk.ctx.local(desk.ctx.now).date()
    found = parse_period(raw, today)
    return (found, True) if found else (parse_period("", today), False)  # type: ignore[return-value]


def _crosstab(name: str, title: str, corner: str, counts: dict[str, Counter[str]],
              rows: list[tuple[str, str]], columns: list[tuple[str, str]]) -> Table:
    body: list[list[object]] = []
    bars = []
    for key, label in rows:
        found = counts.get(key, Counter())
        total = sum(found.values())
        body.append([label, *(found.get(c, 0) for c, _ in columns), total])
        bars.append((label, float(total)))
    return Table(name, title, [corner, *(label for _, label in columns), "Σ"], body, bars)


async def _tables(desk: Desk, request: web.Request, scope: Scope, period: Period
                  ) -> list[Table]:
    ctx, t = desk.ctx, desk.ctx.t
    data = await gather(ctx.session, scope=scope, period=period, tz=ctx.services.tz)
    figures = compute(data)
    start, end = period.bounds(ctx.services.tz)
    overdue = await console_inbox.list_inbox(
        ctx.session, scope=scope, limits=overdue_limits(request, to_db(ctx.now)),
        query=InboxQuery(since=to_db(start), until=to_db(end), overdue=True, per_page=1))
    fields = [(f, t(f"option.field.{f}")) for f in FIELDS]
    practice_statuses = [(s.value, t(f"status.practice.{s.value}")) for s in PracticeStatus]
    categories = [(c, t(f"option.category.{c}")) for c in DEFAULT_CATEGORIES]
    feedback_statuses = [(s.value, t(f"status.feedback.{s.value}")) for s in FeedbackStatus]
    levels = [(str(level), t(f"level.{level}")) for level in Level]
    by_level = [(label, figures.recognitions_by_level.get(key, 0)) for key, label in levels]
    recognised: list[list[object]] = [[label, n] for label, n in by_level]
    timing_rows: list[list[object]] = [
        [t("console.dash.feedback_total"), figures.feedback_total],
        [t("console.dash.resolved"), figures.feedback_resolved],
        [t("console.dash.overdue"), overdue.total],
        [t("console.dash.median_first_answer"), _blank(figures.median_first_answer_hours)],
        [t("console.dash.median_resolution"), _blank(figures.median_resolution_hours)],
        [t("console.dash.satisfaction"), _blank(figures.mean_satisfaction)],
        *([t("console.dash.rating", stars=score), figures.ratings.get(score, 0)]
          for score in range(1, 6)),
    ]
    return [
        _crosstab("feedback", t("console.dash.feedback"), t("console.filter.category"),
                  figures.feedback_by_category, categories, feedback_statuses),
        Table("timings", t("console.dash.timings"),
              [t("console.dash.figure"), t("console.dash.value")], timing_rows,
              [(t("console.dash.rating", stars=score), float(figures.ratings.get(score, 0)))
               for score in range(1, 6)]),
        _crosstab("practices", t("console.dash.practices"), t("console.dash.field"),
                  figures.practices_by_field, fields, practice_statuses),
        Table("recognitions", t("console.dash.recognitions"),
              [t("console.dash.level"), t("console.dash.count")], recognised,
              [(label, float(n)) for label, n in by_level]),
    ]


def _blank(value: float | None) -> object:
    return "" if value is None else value


def _scope(desk: Desk) -> Scope:
    scope = official_scope(desk.ctx)
    assert scope is not None  # official_page checked it
    return scope


async def dashboard_page(request: web.Request, desk: Desk) -> web.Response:
    scope = _scope(desk)
    raw = request.query.get("period", "")[:40]
    period, understood = _period(desk, raw)
    tables = await _tables(desk, request, scope, period)
    return page(request, desk, "console/dashboard.html", tables=tables, period=period,
                raw=raw if understood else "", understood=understood or not raw,
                where=scope_label(desk.ctx, scope), svg=bars_svg)


async def chart_csv(request: web.Request, desk: Desk) -> web.Response:
    name = request.match_info["chart"]
    if name not in CHARTS:
        raise web.HTTPNotFound()
    scope = _scope(desk)
    period, _ = _period(desk, request.query.get("period", "")[:40])
    [table] = [t for t in await _tables(desk, request, scope, period) if t.name == name]
    await _audit(desk, scope, "console.csv", f"{name} {period.label()}")
    return web.Response(
        body=table.csv().encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition":
                 f'attachment; filename="{name}-{scope.unit_code or "toan-quoc"}-'
                 f'{period.slug}.csv"'})


async def report_xlsx(request: web.Request, desk: Desk) -> web.Response:
    """The periodic report's workbook for any period, built at once (the chat's /baocao queues
    it for a background worker instead, because a chat answer cannot wait)."""
    ctx = desk.ctx
    scope = _scope(desk)
    period, _ = _period(desk, request.query.get("period", "")[:40])
    data = await gather(ctx.session, scope=scope, period=period, tz=ctx.services.tz)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / report_filename(scope, period)
        await asyncio.to_thread(write_workbook, data, compute(data), path,
                                units=ctx.units, tz=ctx.services.tz, generated_at=ctx.now)
        body = path.read_bytes()
    await _audit(desk, scope, "report.export", period.label())
    return web.Response(body=body, content_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{report_filename(scope, period)}"'})


async def _audit(desk: Desk, scope: Scope, action: str, detail: str) -> None:
    province = None
    if scope.unit_code and (unit := desk.ctx.units.get(scope.unit_code)):
        province = unit.province_code
    await audit.record(desk.ctx, action, kind="report", unit_code=scope.unit_code,
                       province_code=province, detail=detail)


def bars_svg(bars: list[tuple[str, float]]) -> str:
    """Horizontal bars as inline SVG (labels escaped), drawn on the server."""
    from markupsafe import Markup, escape

    height, label_width, width = 22, 260, 600
    top = max((value for _, value in bars), default=0) or 1
    parts = [f'<svg class="bars" role="img" viewBox="0 0 {width} {height * len(bars) + 4}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for number, (label, value) in enumerate(bars):
        y = number * height + 2
        length = (width - label_width - 60) * value / top
        shown = int(value) if float(value).is_integer() else value
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">'
            f'{escape(label[:40])}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{height - 6}" '
            f'fill="#1565c0"/><text x="{label_width + length + 4:.1f}" y="{y + 15}">'
            f'{shown}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it is escaped above
