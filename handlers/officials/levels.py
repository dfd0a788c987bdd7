"""Recognition by level and cycle, and nomination up the levels (issue 15, item 4).

A commune recognises an approved practice once a year; a commune official may then nominate
it to the province with a short justification, and a province official nominate a
province-recognised one to the centre. A level recognises only in the years the evaluation
calendar has its evaluation or honouring dates (by the seeded calendar: communes every year,
provinces 2028 and 2030, the centre 2030; the rows decide, not this code), and a province or the
centre only what the level below recognised on an earlier day. Each recognition keeps its year,
the decision's number and date (typed by the official, optional) and the residents'
consultation it was made with; recognising without a closed consultation is asked again.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.events import Event
from handlers.flow import reset_state
from handlers.forms import FieldSpec, Form, Kind
from handlers.i18n import Translator
from handlers.officials import audit, review
from handlers.officials.jurisdiction import Refused, official_scope, practice_for_official
from handlers.officials.level_rules import ABOVE, may_nominate, refusal
from handlers.officials.level_rules import practice_id as _pid
from handlers.replies import ACTION_TOKEN, Option, Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import Level, PracticeEventKind, PracticeStatus
from storage.repositories import consultations, levels, reviews
from storage.repositories import officials as officials_repo

RECOGNITION_PERIOD = timedelta(days=365)
CONFIRM, CANCEL = "confirm", "cancel"


def _me(ctx: Context) -> int:
    assert ctx.person.id is not None
    return ctx.person.id


# -- recognising ----------------------------------------------------------------------------


RECOGNISE_FORM = Form("pr_rec", (
    FieldSpec("without_consultation", Kind.CHOICE, options=(CONFIRM, CANCEL),
              unless="consulted"),
    FieldSpec("decision_number", Kind.TEXT, required=False, max_length=60),
    FieldSpec("decision_date", Kind.DATE, required=False),
))


async def start_recognition(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await practice_for_official(ctx, args, action="pr_rec")
    if isinstance(practice, Refused):
        return practice.replies
    if (why := await refusal(ctx, practice)) is not None:
        return await review.card(ctx, practice, lead="⚠️ " + why)
    return await begin(ctx, "pr_rec", _pid(practice))


async def _recognise_prefill(ctx: Context, target: int) -> dict[str, Any]:
    closed = await consultations.closed_of_practice(ctx.session, target)
    return {"consulted": True} if closed is not None else {}


async def _recognise_intro(ctx: Context, target: int) -> str:
    practice = await reviews.get_practice(ctx.session, target)
    scope = official_scope(ctx)
    level = ctx.t(f"level.{scope.level}") if scope else "?"
    return ctx.t("levels.recognise_intro", code=practice.code if practice else "?", level=level,
                 year=ctx.local(ctx.now).year)


async def _recognised(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    practice = await practice_for_official(ctx, [str(target_of(ctx))], action="pr_rec")
    if isinstance(practice, Refused):
        return practice.replies
    if answers.get("without_consultation") == CANCEL:
        return await review.card(ctx, practice, lead=ctx.t("levels.recognise_cancelled"))
    if (why := await refusal(ctx, practice)) is not None:
        return await review.card(ctx, practice, lead="⚠️ " + why)
    scope = official_scope(ctx)
    assert scope is not None
    now = to_db(ctx.now)
    closed = await consultations.closed_of_practice(ctx.session, _pid(practice))
    decided = answers.get("decision_date")
    recognition = await levels.recognise(
        ctx.session, practice=practice, level=scope.level, unit_code=scope.unit_code,
        by=_me(ctx), now=now, valid_until=now + RECOGNITION_PERIOD,
        year=ctx.local(ctx.now).year, decision_number=answers.get("decision_number"),
        decision_date=date.fromisoformat(decided) if decided else None,
        consultation_id=closed.id if closed else None)
    await levels.decide_nominations(ctx.session, practice_id=_pid(practice), level=scope.level,
                                    recognition_id=recognition.id, now=now)
    event = await reviews.add_event(ctx.session, practice=practice,
                                    kind=PracticeEventKind.RECOGNISED, actor_id=_me(ctx),
                                    now=now, to_status=PracticeStatus.RECOGNISED)
    await audit.on_practice(ctx, "practice.recognise", practice, detail=str(scope.level))
    await review.notify_leader(ctx, practice, event)
    return await review.card(ctx, practice, lead="🏅 " + ctx.t(
        "pract.recognised", level=ctx.t(f"level.{scope.level}")))


# -- nominating -----------------------------------------------------------------------------


NOMINATE_FORM = Form("pr_nominate", (FieldSpec("justification", Kind.TEXT, max_length=1000),))


async def start_nomination(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await practice_for_official(ctx, args, action="pr_nominate")
    if isinstance(practice, Refused):
        return practice.replies
    if not await may_nominate(ctx, practice):
        return await review.card(ctx, practice, lead="⚠️ " + ctx.t("levels.cannot_nominate"))
    return await begin(ctx, "pr_nominate", _pid(practice))


async def _nominate_intro(ctx: Context, target: int) -> str:
    practice = await reviews.get_practice(ctx.session, target)
    scope = official_scope(ctx)
    upward = ABOVE.get(Level(scope.level)) if scope else None
    return ctx.t("levels.nominate_intro", code=practice.code if practice else "?",
                 level=ctx.t(f"level.{upward}") if upward else "?")


async def _nominated(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    practice = await practice_for_official(ctx, [str(target_of(ctx))], action="pr_nominate")
    if isinstance(practice, Refused):
        return practice.replies
    if not await may_nominate(ctx, practice):
        return await review.card(ctx, practice, lead="⚠️ " + ctx.t("levels.cannot_nominate"))
    scope = official_scope(ctx)
    assert scope is not None
    upward = ABOVE[Level(scope.level)]
    nomination = await levels.nominate(ctx.session, practice=practice, from_level=scope.level,
                                       to_level=upward, justification=answers["justification"],
                                       by=_me(ctx), now=to_db(ctx.now))
    await audit.on_practice(ctx, "practice.nominate", practice, detail=str(upward))
    code = practice.province_code if upward == Level.PROVINCE else None
    for official in await officials_repo.officials_of_level(ctx.session, level=upward,
                                                            unit_code=code):
        if official.id is None:
            continue
        tr = Translator(official.language)
        ctx.notify(official.id, f"pr:{practice.id}:nom:{nomination.id}:to:{official.id}", [
            TextReply(tr("levels.nominated_notice", code=practice.code, title=practice.title,
                         level=tr(f"level.{scope.level}"), why=nomination.justification),
                      (Option(tr("officials.open"), f"pr_open:{practice.id}"),),
                      token=ACTION_TOKEN)])
    return await review.card(ctx, practice, lead="📤 " + ctx.t(
        "levels.nominated", level=ctx.t(f"level.{upward}")))


class RecogniseFlow(TargetedFlow):
    """Ends at once when the official chooses not to recognise without a consultation."""

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        replies = await super().handle(ctx, event)
        if ctx.conversation.flow == self.name and ctx.answers.get(
                "without_consultation") == CANCEL:
            replies = await self.on_complete(ctx, dict(ctx.answers))
            reset_state(ctx, flow=None)
        return replies


def build_flows() -> list[TargetedFlow]:
    return [RecogniseFlow("pr_rec", RECOGNISE_FORM, _recognised, intro=_recognise_intro,
                          confirm=False, prefill=_recognise_prefill),
            TargetedFlow("pr_nominate", NOMINATE_FORM, _nominated, intro=_nominate_intro,
                         confirm=False)]


ACTIONS = [Action("pr_rec", start_recognition), Action("pr_nominate", start_nomination)]
