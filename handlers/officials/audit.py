"""Every official action on someone else's data leaves a row in the audit log (who, what, which
record, when, from which channel; never the citizen's data), and province officials read their
jurisdiction's with /nhatky (/auditlog). The operator exports it with `dvk audit`."""

from __future__ import annotations

from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.officials.jurisdiction import OFFICIAL_COMMAND_ROLES, official_scope, refuse
from handlers.officials.render import when
from handlers.replies import Reply, TextReply
from storage.models import Feedback, Level, Practice
from storage.repositories import audit as audit_repo
from storage.repositories import officials as officials_repo

SHOWN = 20


async def record(ctx: Context, action: str, *, kind: str, record_id: int | None = None,
                 code: str | None = None, unit_code: str | None = None,
                 province_code: str | None = None, detail: str | None = None) -> None:
    await audit_repo.append(
        ctx.session, at=to_db(ctx.now), actor_id=ctx.person.id, actor_role=str(ctx.person.role),
        action=action, record_kind=kind, record_id=record_id, record_code=code,
        unit_code=unit_code, province_code=province_code, channel=ctx.account.channel,
        detail=detail)


async def on_feedback(ctx: Context, action: str, feedback: Feedback,
                      detail: str | None = None) -> None:
    await record(ctx, action, kind="feedback", record_id=feedback.id, code=feedback.code,
                 unit_code=feedback.assigned_unit_code,
                 province_code=feedback.assigned_province_code, detail=detail)


async def on_practice(ctx: Context, action: str, practice: Practice,
                      detail: str | None = None) -> None:
    await record(ctx, action, kind="practice", record_id=practice.id, code=practice.code,
                 unit_code=practice.commune_code, province_code=practice.province_code,
                 detail=detail)


async def show_log(ctx: Context, args: str) -> list[Reply]:
    """The latest entries of a province's (or, centrally, the whole country's) records."""
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action="auditlog", reason="not_official").replies
    if scope.level == Level.COMMUNE:
        return refuse(ctx, action="auditlog", reason="level",
                      message="audit.province_only").replies
    province = scope.unit_code if scope.level == Level.PROVINCE else None
    entries = await audit_repo.list_entries(ctx.session, province_code=province,
                                            newest_first=True, limit=SHOWN)
    await record(ctx, "audit.view", kind="audit", unit_code=province, province_code=province)
    if not entries:
        return [TextReply(ctx.t("audit.empty"))]
    actors = await officials_repo.people_by_id(ctx.session, [e.actor_id for e in entries])
    lines = [ctx.t("audit.title", count=len(entries))]
    for entry in entries:
        actor = actors.get(entry.actor_id) if entry.actor_id else None
        who = (f"{actor.display_name} (#{actor.id})" if actor and actor.display_name
               else f"#{entry.actor_id}" if entry.actor_id else ctx.t("audit.operator"))
        what = ctx.t(f"audit.action.{entry.action}") if ctx.t.has(
            f"audit.action.{entry.action}") else entry.action
        item = entry.record_code or (f"{entry.record_kind} #{entry.record_id}"
                                     if entry.record_id else "")
        lines.append(f"• {when(ctx, entry.at)} · {who} · {what} {item}".rstrip()
                     + f" · {entry.channel}")
    return [TextReply("\n".join(lines))]


COMMANDS = [Command("auditlog", aliases=("nhatky",), run=show_log,
                    roles=OFFICIAL_COMMAND_ROLES)]
