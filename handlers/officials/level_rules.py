"""Who may recognise or nominate a practice, when (issue 15, item 4): the rules behind the
buttons on the officials' card and behind the actions themselves (handlers/officials/levels.py).

A level recognises only in the years the evaluation calendar has its evaluation or honouring
dates (the rows decide, not this code), once a year, and a province or the centre only what the
level below recognised on an earlier day."""

from __future__ import annotations

from handlers.clock import from_db
from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import render
from handlers.officials.jurisdiction import official_scope
from handlers.replies import Option
from storage.models import Level, Practice, PracticeStatus
from storage.repositories import levels, reviews
from storage.repositories.officials import Scope

RECOGNISABLE = (PracticeStatus.APPROVED, PracticeStatus.RECOGNISED)
BELOW = {Level.PROVINCE: Level.COMMUNE, Level.CENTRAL: Level.PROVINCE}
ABOVE = {Level.COMMUNE: Level.PROVINCE, Level.PROVINCE: Level.CENTRAL}


def practice_id(practice: Practice) -> int:
    """A stored practice's id (typed `int | None` until a row is stored)."""
    assert practice.id is not None
    return practice.id


year_of = render.recognition_year


def _scope_codes(scope: Scope, practice: Practice) -> list[str]:
    if scope.level == Level.COMMUNE:
        return [practice.commune_code, practice.province_code]
    if scope.level == Level.PROVINCE:
        return [practice.province_code]
    return []


async def refusal(ctx: Context, practice: Practice) -> str | None:
    """Why this official may not recognise this practice now (a sentence), None if they may."""
    scope = official_scope(ctx)
    if scope is None or not scope.covers_practice(practice):
        return ctx.t("officials.refused.outside")
    if practice.status not in RECOGNISABLE:
        return ctx.t("pract.not_approved")
    today = ctx.local(ctx.now).date()
    held = await reviews.recognitions_of(ctx.session, practice_id(practice))
    if any(r.level == scope.level and year_of(ctx, r) == today.year for r in held):
        return ctx.t("pract.already_recognised")
    years = await levels.cycle_years(ctx.session, level=scope.level,
                                     scope_codes=_scope_codes(scope, practice))
    if today.year not in years:
        return ctx.t("levels.outside_cycle", level=ctx.t(f"level.{scope.level}"),
                     year=today.year, years=", ".join(map(str, years)) or "—")
    if (below := BELOW.get(Level(scope.level))) is not None:
        lower = [r for r in held if r.level == below]
        if not lower:
            return ctx.t("levels.needs_lower", level=ctx.t(f"level.{below}"))
        if all(ctx.local(from_db(r.recognised_at)).date() >= today for r in lower):
            return ctx.t("levels.too_soon", level=ctx.t(f"level.{below}"))
    return None


async def may_nominate(ctx: Context, practice: Practice) -> bool:
    """Recognised at the official's level, not yet put forward to the next one."""
    scope = official_scope(ctx)
    if scope is None or Level(scope.level) not in ABOVE or not scope.covers_practice(practice):
        return False
    held = await reviews.recognitions_of(ctx.session, practice_id(practice))
    if not any(r.level == scope.level for r in held):
        return False
    upward = ABOVE[Level(scope.level)]
    if any(r.level == upward for r in held):
        return False
    return not any(n.to_level == upward
                   for n in await levels.nominations_of(ctx.session, practice_id(practice)))


async def card_options(ctx: Context, practice: Practice) -> list[Option]:
    """The buttons this module adds to the officials' card."""
    options = []
    if await refusal(ctx, practice) is None:
        options.append(Option(ctx.t("pract.recognise"), f"pr_rec:{practice.id}"))
    if await may_nominate(ctx, practice):
        scope = official_scope(ctx)
        assert scope is not None
        options.append(Option(ctx.t("levels.nominate", level=ctx.t(
            f"level.{ABOVE[Level(scope.level)]}")), f"pr_nominate:{practice.id}"))
    return options


async def card_lines(ctx: Context, practice: Practice) -> list[str]:
    """Its "Ưu tiên" flags, nominations, and why this official cannot recognise it now."""
    t, lines = ctx.t, []
    if flags := priority_labels(t, practice):
        lines.append(t("levels.priority", flags=", ".join(flags)))
    for n in await levels.nominations_of(ctx.session, practice_id(practice)):
        lines.append(t("levels.nominated_line", level=t(f"level.{n.to_level}"),
                       when=ctx.local(from_db(n.created_at)).strftime("%d/%m/%Y"),
                       why=n.justification))
    scope = official_scope(ctx)
    if scope is not None and practice.status in RECOGNISABLE and scope.level != Level.COMMUNE:
        why = await refusal(ctx, practice)
        if why is not None:
            lines.append("ℹ️ " + why)
    return lines




def priority_labels(t: Translator, practice: Practice) -> list[str]:
    """The practice's "Ưu tiên" flags in words (none when the submitter skipped them)."""
    labels = []
    if practice.priority_task:
        labels.append(t(f"option.priority_task.{practice.priority_task}"))
    if practice.difficult_area:
        labels.append(t(f"option.difficult_area.{practice.difficult_area}"))
    return labels
