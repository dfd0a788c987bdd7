"""/report [period] (/baocao): an XLSX report of the official's jurisdiction, at any time.

    /report            this year so far
    /report 2026       a calendar year        /report 2026-h1, /report 2026-h2   a half year
    /report 6m, 12m    the last 6 or 12 months
    /report 01/01/2026-30/06/2026             any range

The same workbook officials receive on each 6-month and annual report date (scheduler/reports.py).
A whole jurisdiction takes seconds to gather and write, so the flow only records the request
and answers at once; a background worker builds it (scheduler/ondemand_reports.py) and the
outbox sends the file.
"""

from __future__ import annotations

from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.officials import audit
from handlers.officials.jurisdiction import OFFICIAL_COMMAND_ROLES, official_scope, refuse
from handlers.periods import jurisdiction_label, parse_period
from handlers.replies import Reply, TextReply
from storage.models import id_of
from storage.repositories import report_requests


async def report_command(ctx: Context, args: str) -> list[Reply]:
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action="report", reason="not_official").replies
    period = parse_period(args, ctx.local(ctx.now).date())
    if period is None:
        return [TextReply("⚠️ " + ctx.t("report.usage"))]
    person_id = id_of(ctx.person)
    already = await report_requests.pending_for(
        ctx.session, person_id=person_id, level=scope.level, unit_code=scope.unit_code,
        period=period.label())
    if already is None:
        await report_requests.add(ctx.session, person_id=person_id, level=scope.level,
                                  unit_code=scope.unit_code, period=period.label(),
                                  now=to_db(ctx.now))
        province = None
        if scope.unit_code and (unit := ctx.units.get(scope.unit_code)):
            province = unit.province_code
        await audit.record(ctx, "report.export", kind="report", unit_code=scope.unit_code,
                           province_code=province, detail=period.label())
    where = jurisdiction_label(ctx.t, scope, ctx.units)
    key = "report.queued" if already is None else "report.already_queued"
    return [TextReply(ctx.t(key, jurisdiction=where, period=period.label()))]


COMMANDS = [Command("report", aliases=("baocao",), run=report_command, menu=True,
                    roles=OFFICIAL_COMMAND_ROLES)]
