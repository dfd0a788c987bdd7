"""Tự đánh giá: the submitter assesses their practice against the commune level's criteria
before sending it (the guidance, V.1: collectives and individuals assess themselves).

After the practice's last question, one message per criterion (buttons, or numbers on
channels without them; optional ones skippable), then the summary to check shows the
practice and the self-assessment together, and "Gửi" sends both. The answers are kept in the
draft (`FormDraft.self_assessment`, with the criteria as asked and their version), so /back,
edits from the summary and a restart lose nothing; when the commune is changed and its
criteria differ, only the new criteria are asked. On sending they are stored as the practice's
self-assessment (`store`), shown to officials beside the practice's own fields.

A practice sent back (rejected, withdrawn, changes asked) is revised with its latest
self-assessment in the draft (`resume`): the summary shows it, "✏️ Sửa" → "Tự đánh giá" changes
it, criteria the commune added since are asked, and resending stores it as a new
self-assessment (the earlier ones stay as history; the latest is the one shown).
"""

from __future__ import annotations

from dataclasses import replace

from handlers import criteria_questions as questions
from handlers.clock import to_db
from handlers.context import Context
from handlers.criteria import Applicable, Criterion, applicable, from_snapshot
from handlers.events import Event
from handlers.fields import Accepted, Invalid, resolve_option
from handlers.flow import EDIT_PICK, SUMMARY, FormFlow
from handlers.forms import FieldSpec
from handlers.replies import Option, Reply, TextReply
from handlers.state import FormDraft, SelfAssessment
from storage.models import AssessmentKind, Level, Practice, PracticeAssessment, id_of
from storage.repositories import criteria as criteria_repo

EDIT_ASSESSMENT = "__self_assessment__"
FIELD = "self_assessment"
"""How a resubmission's history names a changed self-assessment (beside the form's fields)."""


class AssessedPracticeFlow(FormFlow):
    """The practice form, then the self-assessment, then the summary of both."""

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        code = questions.code_of(ctx.conversation.step)
        if code is None:
            if (ctx.conversation.step == EDIT_PICK
                    and resolve_option(ctx, event) == EDIT_ASSESSMENT):
                return self._redo(ctx)
            return await super().handle(ctx, event)
        criterion = _criterion(ctx, code)
        if criterion is None:  # the criteria changed under the draft: ask what is missing
            return await self._next_or_summary(ctx)
        outcome = questions.accept(ctx, criterion)
        if isinstance(outcome, Invalid):
            return self._ask_criterion(ctx, criterion, lead=questions.warning(ctx, outcome))
        return await self._record(ctx, criterion, outcome)

    async def reask(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        code = questions.code_of(ctx.conversation.step)
        if code is not None and (criterion := _criterion(ctx, code)) is not None:
            return self._ask_criterion(ctx, criterion, lead=lead)
        return await super().reask(ctx, lead)

    async def back(self, ctx: Context) -> list[Reply]:
        history = ctx.draft.history
        if ctx.conversation.step != EDIT_PICK and history and (
                code := questions.code_of(history[-1])) is not None:
            history.pop()
            if (criterion := _criterion(ctx, code)) is not None:
                return self._ask_criterion(ctx, criterion, lead=ctx.t("back.done"))
        return await super().back(ctx)

    async def _store(self, ctx: Context, spec: FieldSpec, outcome: Accepted) -> list[Reply]:
        """After the last question (or an edit from the summary): the criteria not answered
        yet, before the summary."""
        replies = await super()._store(ctx, spec, outcome)
        if ctx.conversation.step != SUMMARY:
            return replies
        return await self._next_or_summary(ctx, lead=outcome.note)

    def _summary(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        replies = super()._summary(ctx, lead)
        draft = _draft(ctx).self_assessment
        if draft is None or not draft.criteria or not replies:
            return replies
        last = replies[-1]
        assert isinstance(last, TextReply)
        lines = [ctx.t("selfassess.summary_title")] + [
            f"• {c.text.in_language(ctx.t.language)}: "
            f"{questions.value_text(ctx.t, c, draft.scores.get(c.code))}"
            for c in from_snapshot(draft.criteria)]
        # The self-assessment sits before the closing "check and send" line.
        body, _, closing = last.text.rpartition("\n\n")
        text = f"{body}\n\n" + "\n".join(lines) + f"\n\n{closing}"
        return replies[:-1] + [replace(last, text=text)]

    def _edit_menu(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        replies = super()._edit_menu(ctx, lead)
        draft = _draft(ctx).self_assessment
        if draft is None or not draft.criteria:
            return replies
        last = replies[-1]
        assert isinstance(last, TextReply)
        options = last.options + (Option(ctx.t("selfassess.edit"), EDIT_ASSESSMENT),)
        token = ctx.issue_token(options, free_input=False)
        return replies[:-1] + [replace(last, options=options, token=token)]

    # -- steps ------------------------------------------------------------------------------

    async def _next_or_summary(self, ctx: Context, lead: str | None = None, *,
                               refresh: bool = True) -> list[Reply]:
        """`refresh`: look the commune's criteria up again (after the form's answers, which
        may have changed the commune); between two criteria the set asked stays as it is."""
        draft = await _refreshed(ctx) if refresh else _assessment(ctx)
        criteria = from_snapshot(draft.criteria)
        pending = [c for c in criteria if c.code not in draft.scores]
        if not pending:
            draft.redo, draft.before = False, {}
            return self._summary(ctx, lead)
        if len(pending) == len(criteria) and not draft.redo:
            intro = ctx.t("selfassess.intro", count=len(criteria))
            lead = f"{lead}\n\n{intro}" if lead else intro
        return self._ask_criterion(ctx, pending[0], lead=lead)

    def _ask_criterion(self, ctx: Context, criterion: Criterion,
                       lead: str | None = None) -> list[Reply]:
        draft = _assessment(ctx)
        codes = [item["code"] for item in draft.criteria]
        heading = ctx.t("selfassess.heading", number=codes.index(criterion.code) + 1,
                        count=len(codes))
        current = draft.scores.get(criterion.code, draft.before.get(criterion.code))
        return questions.ask(ctx, criterion, heading=heading, current=current, lead=lead)

    async def _record(self, ctx: Context, criterion: Criterion,
                      outcome: Accepted) -> list[Reply]:
        _assessment(ctx).scores[criterion.code] = outcome.value
        history = ctx.draft.history
        step = questions.step_of(criterion)
        if not history or history[-1] != step:
            history.append(step)
        return await self._next_or_summary(ctx, refresh=False)

    def _redo(self, ctx: Context) -> list[Reply]:
        """"✏️ Sửa" → "Tự đánh giá": every criterion again, each showing its earlier answer."""
        draft = _assessment(ctx)
        draft.before, draft.scores, draft.redo = draft.scores, {}, True
        criteria = from_snapshot(draft.criteria)
        return self._ask_criterion(ctx, criteria[0])


class RevisionFlow(AssessedPracticeFlow):
    """A practice's revision (handlers/practice_revise.py, practice_fix.py), its current
    self-assessment put in the draft by `resume`. One sent without any (before criteria were
    asked) is revised without: the officials' request is answered, not a new questionnaire."""

    async def _next_or_summary(self, ctx: Context, lead: str | None = None, *,
                               refresh: bool = True) -> list[Reply]:
        if _draft(ctx).self_assessment is None:
            return self._summary(ctx, lead)
        return await super()._next_or_summary(ctx, lead, refresh=refresh)


def _draft(ctx: Context) -> FormDraft:
    return ctx.state.draft_as(FormDraft)


def _assessment(ctx: Context) -> SelfAssessment:
    """The draft's self-assessment (started, possibly empty, once the form is answered)."""
    draft = _draft(ctx)
    if draft.self_assessment is None:
        draft.self_assessment = SelfAssessment()
    return draft.self_assessment


def _criterion(ctx: Context, code: str) -> Criterion | None:
    draft = _draft(ctx).self_assessment
    criteria = from_snapshot(draft.criteria) if draft is not None else []
    return next((c for c in criteria if c.code == code), None)


async def _refreshed(ctx: Context) -> SelfAssessment:
    """The draft's self-assessment against the criteria that apply to its commune now:
    answers to criteria still asked are kept, those no longer asked dropped."""
    commune = ctx.units.get(ctx.answers.get("commune") or "")
    draft = _assessment(ctx)
    if commune is None:
        return draft
    current: Applicable = await applicable(
        ctx.session, ctx.services.criteria, level=Level.COMMUNE, commune_code=commune.code,
        province_code=commune.province_code)
    if current.version != draft.version:
        # An answer is kept only for a criterion still asked the same way (a "4" means
        # nothing to a yes/no question that replaced a scale).
        asked = {item["code"]: item.get("kind") for item in draft.criteria}
        kept = {c.code for c in current.criteria if asked.get(c.code) == c.kind}
        draft.version, draft.criteria = current.version, current.snapshot()
        draft.scores = {k: v for k, v in draft.scores.items() if k in kept}
        draft.before = {k: v for k, v in draft.before.items() if k in kept}
    return draft


async def resume(ctx: Context, practice: Practice) -> str | None:
    """Put the practice's current self-assessment in a revision's draft, against the
    criteria in force now; a note for the submitter when those changed and something is to
    be answered again."""
    row = await criteria_repo.latest_self_assessment(ctx.session, id_of(practice))
    if row is None:  # sent before criteria were asked: revised without (`RevisionFlow`)
        return None
    draft = _assessment(ctx)
    draft.version, draft.criteria = row.criteria_version, list(row.criteria)
    draft.scores = dict(row.scores)
    answered = dict(draft.scores)
    draft = await _refreshed(ctx)
    if not answered:
        return None
    pending = [item for item in draft.criteria if item["code"] not in draft.scores]
    return ctx.t("selfassess.criteria_changed", count=len(pending)) if pending else None


async def changed_since_sent(ctx: Context, practice: Practice) -> bool:
    """Whether the draft's self-assessment differs from the practice's current one."""
    draft = ctx.draft.self_assessment if isinstance(ctx.draft, FormDraft) else None
    row = await criteria_repo.latest_self_assessment(ctx.session, id_of(practice))
    if draft is None or not draft.criteria:
        return False
    return row is None or (row.criteria_version, row.scores) != (draft.version, draft.scores)


async def store(ctx: Context, practice: Practice) -> None:
    """Keep the sent self-assessment (the draft's, still in the conversation while the practice
    is stored) as the practice's own, with its criteria's version."""
    draft = ctx.draft.self_assessment if isinstance(ctx.draft, FormDraft) else None
    if draft is None or not draft.criteria:
        return
    await criteria_repo.add_assessment(ctx.session, PracticeAssessment(
        practice_id=id_of(practice), kind=AssessmentKind.SELF, level=Level.COMMUNE,
        assessor_id=practice.submitter_id, practice_status=practice.status,
        criteria_version=draft.version[:200], criteria=draft.criteria,
        scores=dict(draft.scores), created_at=to_db(ctx.now)))
