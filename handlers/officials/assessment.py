"""An official's assessment of a practice against the criteria of their level, recorded when
they approve it (it awaits review) or recognise it (approved or recognised): one message per
criterion, then an optional comment. The card then shows it beside the submitter's own
self-assessment (`handlers/officials/assessment_view.py`).

Started by the card's "📋 Chấm theo tiêu chí" (``pr_assess:<id>``); jurisdiction is checked
when it starts and again when it is stored, since a role can change in between.
"""

from __future__ import annotations

from handlers import criteria_questions as questions
from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.criteria import Criterion, applicable, from_snapshot
from handlers.events import Event, TextEvent
from handlers.fields import Invalid, resolve_option
from handlers.flow import reset_state
from handlers.officials import audit, level_rules, review
from handlers.officials.jurisdiction import Refused, official_scope, practice_for_official
from handlers.options import SKIP
from handlers.replies import Option, Reply, TextReply
from handlers.state import AssessmentDraft, CriteriaAnswers
from handlers.targeted import begin
from storage.models import AssessmentKind, Practice, PracticeAssessment, PracticeStatus, id_of
from storage.repositories import criteria as criteria_repo

FLOW = "pr_assess"
COMMENT = "comment"
MAX_COMMENT = 1000
ASSESSABLE = (PracticeStatus.SUBMITTED, *level_rules.RECOGNISABLE)
"""Awaiting approval, or approved/recognised and so open to recognition."""


async def start_action(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await practice_for_official(ctx, args, action=FLOW)
    if isinstance(practice, Refused):
        return practice.replies
    if practice.status not in ASSESSABLE:
        return await review.card(ctx, practice, lead="⚠️ " + ctx.t("assess.not_assessable"))
    assert practice.id is not None
    return await begin(ctx, FLOW, practice.id)


class ReviewAssessmentFlow:
    """Each criterion of the official's level, then a comment, then stored."""

    name = FLOW

    async def start(self, ctx: Context) -> list[Reply]:
        target = ctx.state.target or 0
        reset_state(ctx, flow=self.name, draft=AssessmentDraft())
        ctx.state.target = target
        practice = await _practice(ctx)
        if not isinstance(practice, Practice):
            reset_state(ctx, flow=None)
            return practice
        scope = official_scope(ctx)
        assert scope is not None  # practice_for_official checked it
        current = await applicable(ctx.session, ctx.services.criteria, level=scope.level,
                                   commune_code=practice.commune_code,
                                   province_code=practice.province_code)
        draft = _draft(ctx)
        draft.level = str(scope.level)
        draft.assessment = CriteriaAnswers(version=current.version, criteria=current.snapshot())
        intro = ctx.t("assess.intro", code=practice.code, level=ctx.t(f"level.{scope.level}"),
                      count=len(current.criteria))
        return await self._next(ctx, lead=intro)

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        if ctx.conversation.step == COMMENT:
            return await self._on_comment(ctx, event)
        criterion = _criterion(ctx, questions.code_of(ctx.conversation.step))
        if criterion is None:
            return await self._next(ctx)
        outcome = questions.accept(ctx, criterion)
        if isinstance(outcome, Invalid):
            return self._ask(ctx, criterion, lead=questions.warning(ctx, outcome))
        _draft(ctx).assessment.scores[criterion.code] = outcome.value
        ctx.draft.history.append(criterion.code)
        return await self._next(ctx)

    async def reask(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        if ctx.conversation.step == COMMENT:
            return _ask_comment(ctx, lead)
        criterion = _criterion(ctx, questions.code_of(ctx.conversation.step))
        return self._ask(ctx, criterion, lead) if criterion else await self._next(ctx, lead)

    async def back(self, ctx: Context) -> list[Reply]:
        history = ctx.draft.history
        if not history:
            return await self.reask(ctx, lead=ctx.t("back.at_start"))
        code = history.pop()
        _draft(ctx).assessment.scores.pop(code, None)
        criterion = _criterion(ctx, code)
        assert criterion is not None
        return self._ask(ctx, criterion, lead=ctx.t("back.done"))

    def has_progress(self, ctx: Context) -> bool:
        draft = ctx.draft
        return isinstance(draft, AssessmentDraft) and bool(draft.assessment.scores)

    # -- steps ------------------------------------------------------------------------------

    async def _next(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        draft = _draft(ctx).assessment
        pending = [c for c in from_snapshot(draft.criteria) if c.code not in draft.scores]
        if pending:
            return self._ask(ctx, pending[0], lead=lead)
        return _ask_comment(ctx, lead)

    def _ask(self, ctx: Context, criterion: Criterion, lead: str | None = None) -> list[Reply]:
        codes = [item["code"] for item in _draft(ctx).assessment.criteria]
        heading = ctx.t("assess.heading", number=codes.index(criterion.code) + 1,
                        count=len(codes))
        return questions.ask(ctx, criterion, heading=heading, lead=lead)

    async def _on_comment(self, ctx: Context, event: Event) -> list[Reply]:
        picked = resolve_option(ctx, event)
        if isinstance(picked, Invalid):
            return _ask_comment(ctx, questions.warning(ctx, picked))
        comment = None
        if picked != SKIP:
            if not isinstance(event, TextEvent) or not event.text.strip():
                return _ask_comment(ctx, "⚠️ " + ctx.t("error.expect_text"))
            comment = event.text.strip()
            if len(comment) > MAX_COMMENT:
                return _ask_comment(ctx, "⚠️ " + ctx.t(
                    "error.too_long", length=len(comment), max=MAX_COMMENT))
        return await _store(ctx, comment)


def _ask_comment(ctx: Context, lead: str | None = None) -> list[Reply]:
    ctx.conversation.step = COMMENT
    text = ctx.t("assess.comment")
    options = (Option(ctx.t("common.skip"), SKIP),)
    token = ctx.issue_token(options, free_input=True, long_text=True)
    return [TextReply(f"{lead}\n\n{text}" if lead else text, options, token=token,
                      free_input=True)]


async def _practice(ctx: Context) -> Practice | list[Reply]:
    practice = await practice_for_official(ctx, [str(ctx.state.target or 0)], action=FLOW)
    if isinstance(practice, Refused):
        return practice.replies
    if practice.status not in ASSESSABLE:
        return [TextReply("⚠️ " + ctx.t("assess.not_assessable"))]
    return practice


async def _store(ctx: Context, comment: str | None) -> list[Reply]:
    draft = _draft(ctx)
    level, answers = draft.level, draft.assessment
    practice = await _practice(ctx)
    reset_state(ctx, flow=None)
    if not isinstance(practice, Practice):
        return practice
    await criteria_repo.add_assessment(ctx.session, PracticeAssessment(
        practice_id=id_of(practice), kind=AssessmentKind.REVIEW, level=level,
        assessor_id=id_of(ctx.person), practice_status=practice.status,
        criteria_version=answers.version[:200], criteria=answers.criteria,
        scores=dict(answers.scores), comment=comment, created_at=to_db(ctx.now)))
    await audit.on_practice(ctx, "practice.assess", practice, detail=level)
    return await review.card(ctx, practice, lead="✅ " + ctx.t("assess.saved"))


def _draft(ctx: Context) -> AssessmentDraft:
    return ctx.state.draft_as(AssessmentDraft)


def _criterion(ctx: Context, code: str | None) -> Criterion | None:
    criteria = from_snapshot(_draft(ctx).assessment.criteria)
    return next((c for c in criteria if c.code == code), None)


def build_flows() -> list[ReviewAssessmentFlow]:
    return [ReviewAssessmentFlow()]


ACTIONS = [Action(FLOW, start_action)]
