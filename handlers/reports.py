"""/report [period] (/baocao): an XLSX report of the official's jurisdiction, at any time.

    /report            this year so far
    /report 2026       a calendar year        /report 2026-h1, /report 2026-h2   a half year
    /report 6m, 12m    the last 6 or 12 months
    /report 01/01/2026-30/06/2026             any range

The same workbook officials receive on each 6-month and annual report date (scheduler/reports.py).
"""

from __future__ import annotations

from pathlib import Path

from handlers.commands import Command
from handlers.context import Context
from handlers.officials.jurisdiction import OFFICIAL_COMMAND_ROLES, official_scope, refuse
from handlers.replies import DocumentReply, Reply, TextReply
from scheduler.reports import (
    REPORTS_DIR,
    build_report,
    jurisdiction_label,
    parse_period,
    report_filename,
)


async def report_command(ctx: Context, args: str) -> list[Reply]:
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action="report", reason="not_official").replies
    now = ctx.now
    period = parse_period(args, ctx.local(now).date())
    if period is None:
        return [TextReply("⚠️ " + ctx.t("report.usage"))]
    relative = Path(REPORTS_DIR) / f"ondemand-{ctx.person.id}-{ctx.local(now):%Y%m%d%H%M%S}.xlsx"
    _, figures = await build_report(ctx.session, scope=scope, period=period, tz=ctx.services.tz,
                                    units=ctx.units, path=ctx.services.media.root / relative,
                                    now=now)
    where = jurisdiction_label(ctx.t, scope, ctx.units)
    caption = ctx.t("report.ready", jurisdiction=where, period=period.label(),
                    practices=figures.practices_total, feedback=figures.feedback_total)
    return [DocumentReply(str(relative), report_filename(scope, period), caption)]


COMMANDS = [Command("report", aliases=("baocao",), run=report_command, menu=True,
                    roles=OFFICIAL_COMMAND_ROLES)]
