"""/deadlines (/hanchot): the evaluation calendar of an official's jurisdiction.

    /deadlines                                  upcoming deadlines that concern me
    /deadlines add 15/09/2027 evaluation Title  a deadline for my unit (or, with the word
    /deadlines add 15/09/2027 evaluation commune Title   commune, for the communes of my province)
    /deadlines move 12 20/09/2027               change a date
    /deadlines remove 12                        take a deadline off the calendar

Vietnamese help names the Vietnamese verbs (/hanchot them, doi or dời, xoa), typed with or
without diacritics; the English ones work in every language.

Officials see the deadlines of their level and of the levels below within their jurisdiction,
and change only those scoped inside it (the national defaults are changed by central officials
and by admins from the command line: `python -m scheduler.cli`). Reminders follow the change at
the scheduler's next pass.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.deadline_text import describe_deadline, when_text
from handlers.officials import audit
from handlers.officials.jurisdiction import OFFICIAL_COMMAND_ROLES, official_scope, refuse
from handlers.replies import Reply, TextReply
from storage.models import Deadline, DeadlineKind, Level, id_of
from storage.repositories import deadlines as deadlines_repo
from storage.repositories.officials import Scope
from storage.units import UnitDirectory, fold

HORIZON_DAYS = 400
KIND_WORDS = {
    "evaluation": DeadlineKind.EVALUATION, "danhgia": DeadlineKind.EVALUATION,
    "honouring": DeadlineKind.HONOURING, "tonvinh": DeadlineKind.HONOURING,
    "report_6m": DeadlineKind.REPORT_6M, "baocao6t": DeadlineKind.REPORT_6M,
    "6m": DeadlineKind.REPORT_6M,
    "report_annual": DeadlineKind.REPORT_ANNUAL, "baocaonam": DeadlineKind.REPORT_ANNUAL,
    "nam": DeadlineKind.REPORT_ANNUAL,
}
LEVEL_WORDS = {"commune": Level.COMMUNE, "xa": Level.COMMUNE, "coso": Level.COMMUNE,
               "province": Level.PROVINCE, "tinh": Level.PROVINCE,
               "central": Level.CENTRAL, "trunguong": Level.CENTRAL}
VERBS = {"add": "add", "them": "add", "move": "move", "doi": "move", "remove": "remove",
         "xoa": "remove", "bo": "remove"}
"""Each subcommand by its English word and its Vietnamese ones (folded: "dời", "đổi" → "doi")."""
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def concerns(scope: Scope, deadline: Deadline, units: UnitDirectory) -> bool:
    """Whether a deadline is about this official's jurisdiction (theirs or below it)."""
    if scope.level == Level.CENTRAL:
        return True
    code = deadline.scope_code
    if scope.level == Level.PROVINCE:
        if deadline.level == Level.CENTRAL:
            return False
        return code is None or code == scope.unit_code or _province(units, code) == scope.unit_code
    if deadline.level != Level.COMMUNE:
        return False
    return code is None or code == scope.unit_code or code == _province(units, scope.unit_code)


def may_change(scope: Scope, deadline: Deadline, units: UnitDirectory) -> bool:
    """Officials change deadlines scoped inside their jurisdiction, never wider ones."""
    if scope.level == Level.CENTRAL:
        return True
    code = deadline.scope_code
    if code is None:
        return False
    if scope.level == Level.PROVINCE:
        return code == scope.unit_code or _province(units, code) == scope.unit_code
    return code == scope.unit_code


def _province(units: UnitDirectory, code: str | None) -> str | None:
    unit = units.get(code) if code else None
    return unit.province_code if unit else None


def parse_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


async def deadlines_command(ctx: Context, args: str) -> list[Reply]:
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action="deadlines", reason="not_official").replies
    words = args.split()
    verb = VERBS.get(fold(words[0]), "?") if words else ""
    if verb == "add":
        return await _add(ctx, scope, words[1:])
    if verb == "move":
        return await _move(ctx, scope, words[1:])
    if verb == "remove":
        return await _remove(ctx, scope, words[1:])
    if verb:
        return [TextReply(ctx.t("deadlines.usage"))]
    return await _list(ctx, scope)


async def _list(ctx: Context, scope: Scope) -> list[Reply]:
    today = ctx.local(ctx.now).date()
    found = await deadlines_repo.upcoming(ctx.session, scopes=None, since=today,
                                          until=today + timedelta(days=HORIZON_DAYS), limit=2000)
    mine = [d for d in found if concerns(scope, d, ctx.units)][:25]
    if not mine:
        return [TextReply(ctx.t("deadlines.none") + "\n\n" + ctx.t("deadlines.usage"))]
    lines = [ctx.t("deadlines.title", count=len(mine))]
    for deadline in mine:
        lines.append(ctx.t("deadlines.item", id=deadline.id,
                           due=deadline.due_date.strftime("%d/%m/%Y"), title=deadline.title,
                           what=describe_deadline(ctx.t, deadline, ctx.units),
                           when=when_text(ctx.t, deadline.due_date, today)))
    lines += ["", ctx.t("deadlines.usage")]
    return [TextReply("\n".join(lines))]


async def _add(ctx: Context, scope: Scope, words: list[str]) -> list[Reply]:
    due = parse_date(words[0]) if words else None
    kind = KIND_WORDS.get(words[1].lower()) if len(words) > 1 else None
    rest = words[2:]
    level = scope.level
    if rest and rest[0].lower() in LEVEL_WORDS:
        level = LEVEL_WORDS[rest[0].lower()]
        rest = rest[1:]
    title = " ".join(rest).strip()[:200]
    if due is None or kind is None or not title:
        return [TextReply("⚠️ " + ctx.t("deadlines.usage"))]
    if due < ctx.local(ctx.now).date():
        return [TextReply("⚠️ " + ctx.t("deadlines.past"))]
    if not _level_allowed(scope, level):
        return refuse(ctx, action="deadlines_add", reason="outside", item="deadline").replies
    created = await deadlines_repo.create(
        ctx.session, level=level, scope_code=scope.unit_code, kind=kind, title=title,
        due_date=due, created_by=ctx.person.id, now=to_db(ctx.now))
    await _audit(ctx, "deadline.add", created)
    return [TextReply(ctx.t("deadlines.added", id=created.id, due=due.strftime("%d/%m/%Y"),
                            title=title, what=describe_deadline(ctx.t, created, ctx.units)))]


def _level_allowed(scope: Scope, level: str) -> bool:
    """A level at or below the official's own."""
    order = (Level.COMMUNE, Level.PROVINCE, Level.CENTRAL)
    return order.index(Level(level)) <= order.index(Level(scope.level))


async def _own_deadline(ctx: Context, scope: Scope, word: str | None,
                        action: str) -> Deadline | list[Reply]:
    if word is None or not word.lstrip("#").isdigit() or len(word) > 12:
        return [TextReply("⚠️ " + ctx.t("deadlines.usage"))]
    deadline = await deadlines_repo.get(ctx.session, int(word.lstrip("#")))
    if deadline is None or not deadline.active:
        return [TextReply("⚠️ " + ctx.t("deadlines.not_found"))]
    if not may_change(scope, deadline, ctx.units):
        return refuse(ctx, action=action, reason="outside", item="deadline",
                      item_id=deadline.id, message="deadlines.not_yours").replies
    return deadline


async def _move(ctx: Context, scope: Scope, words: list[str]) -> list[Reply]:
    found = await _own_deadline(ctx, scope, words[0] if words else None, "deadlines_move")
    if isinstance(found, list):
        return found
    due = parse_date(words[1]) if len(words) > 1 else None
    if due is None:
        return [TextReply("⚠️ " + ctx.t("deadlines.usage"))]
    await deadlines_repo.cancel_scheduled(ctx.session, deadline_id=id_of(found),
                                          reason="the deadline moved")
    found.due_date, found.updated_at = due, to_db(ctx.now)
    ctx.session.add(found)
    await _audit(ctx, "deadline.move", found)
    return [TextReply(ctx.t("deadlines.moved", id=found.id, title=found.title,
                            due=due.strftime("%d/%m/%Y")))]


async def _remove(ctx: Context, scope: Scope, words: list[str]) -> list[Reply]:
    found = await _own_deadline(ctx, scope, words[0] if words else None, "deadlines_remove")
    if isinstance(found, list):
        return found
    await deadlines_repo.cancel_scheduled(ctx.session, deadline_id=id_of(found),
                                          reason="the deadline was removed")
    found.active, found.updated_at = False, to_db(ctx.now)
    ctx.session.add(found)
    await _audit(ctx, "deadline.remove", found)
    return [TextReply(ctx.t("deadlines.removed", id=found.id, title=found.title))]


async def _audit(ctx: Context, action: str, deadline: Deadline) -> None:
    province = _province(ctx.units, deadline.scope_code) if deadline.scope_code else None
    await audit.record(ctx, action, kind="deadline", record_id=deadline.id,
                       unit_code=deadline.scope_code, province_code=province or (
                           deadline.scope_code if deadline.level == Level.PROVINCE else None),
                       detail=deadline.due_date.isoformat())


COMMANDS = [Command("deadlines", aliases=("hanchot",), run=deadlines_command, menu=True,
                    roles=OFFICIAL_COMMAND_ROLES)]
