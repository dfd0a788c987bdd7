"""What the officials' card shows of residents' consultations (issue 15, item 3): the
button to open one, the one running, the result of each closed one (counts, satisfaction,
comments, never who wrote them). The scheduler's closing notice reuses `result_lines`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.clock import from_db
from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import render
from handlers.officials.jurisdiction import official_scope
from handlers.officials.level_rules import practice_id as _pid
from handlers.replies import Option
from storage.models import Consultation, Practice, PracticeStatus
from storage.repositories import consultations

OPENABLE = (PracticeStatus.APPROVED, PracticeStatus.RECOGNISED)
COMMENTS_SHOWN = 10




async def may_open(ctx: Context, practice: Practice) -> bool:
    scope = official_scope(ctx)
    if scope is None or not scope.covers_practice(practice) or practice.status not in OPENABLE:
        return False
    return await consultations.open_of_practice(ctx.session, _pid(practice)) is None


async def card_options(ctx: Context, practice: Practice) -> list[Option]:
    if not await may_open(ctx, practice):
        return []
    return [Option(ctx.t("consult.open_button"), f"pr_consult:{practice.id}")]


def result_lines(t: Translator, tz: ZoneInfo, consultation: Consultation,
                 comments: list[str]) -> list[str]:
    """A closed consultation's result as officials read it: counts, satisfaction, comments
    (never who wrote them). Also what the scheduler tells officials when it closes."""
    day = from_db(consultation.closed_at or consultation.closes_at).astimezone(tz)
    lines = [t("consult.result", until=day.strftime("%d/%m/%Y"), votes=consultation.votes or 0,
               agree=consultation.agree or 0,
               disagree=(consultation.votes or 0) - (consultation.agree or 0),
               mean=f"{consultation.satisfaction_avg:.1f}"
               if consultation.satisfaction_avg is not None else "—",
               invited=consultation.invited)]
    lines += [f"   💬 «{render.excerpt(c, 200)}»" for c in comments[:COMMENTS_SHOWN]]
    if len(comments) > COMMENTS_SHOWN:
        lines.append("   " + t("consult.more_comments", count=len(comments) - COMMENTS_SHOWN))
    return lines


async def card_lines(ctx: Context, practice: Practice) -> list[str]:
    lines: list[str] = []
    for consultation in await consultations.of_practice(ctx.session, _pid(practice)):
        if consultation.closed_at is None:
            running = await consultations.result_of(ctx.session, consultation)
            lines.append(ctx.t("consult.running", until=ctx.local(from_db(
                consultation.closes_at)).strftime("%d/%m/%Y %H:%M"), votes=running.votes,
                invited=consultation.invited))
        else:
            result = await consultations.result_of(ctx.session, consultation)
            lines += result_lines(ctx.t, ctx.services.tz, consultation, result.comments)
    return lines
