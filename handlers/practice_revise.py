"""A leader revises a rejected (or withdrawn) practice and sends it again, or withdraws one
that awaits review.

Revising opens the summary of what was sent, every answer kept, with the submitter's current
self-assessment: "✏️ Sửa" picks a question to answer again (as many as needed), or the
self-assessment (handlers/self_assessment.py); "Gửi" sends it back under the same code, with
the self-assessment stored anew. The history keeps
the rejection and names the answers changed; officials hear of it as of a new practice
(`practice_fix.resubmit`). Every step checks, on the server, that the person is the submitter
(linked accounts are one person, handlers/linking.py) and that the practice is still in a
state that allows it: buttons can be old or forged.
"""

from __future__ import annotations

from typing import Any

from handlers import self_assessment
from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.flow import reset_state
from handlers.officials import review
from handlers.practice_fix import own_practice, resubmit
from handlers.practice_form import PRACTICE_FORM, stored_answers
from handlers.replies import Option, Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import Practice, PracticeEventKind, PracticeStatus
from storage.repositories import reviews

REVISABLE = (PracticeStatus.REJECTED, PracticeStatus.WITHDRAWN)


async def _mine(ctx: Context, args: list[str]) -> Practice | None:
    if args and args[0].isdigit() and len(args[0]) <= 12:
        return await own_practice(ctx, int(args[0]))
    return None


def _not_now(ctx: Context, practice: Practice) -> list[Reply]:
    return [TextReply("⚠️ " + ctx.t("pr_fix.not_now", code=practice.code,
                                     status=ctx.t(f"status.practice.{practice.status}")))]


# -- revise and resubmit --------------------------------------------------------------------


async def revise(ctx: Context, args: list[str]) -> list[Reply]:
    """``pr_revise:<id>``: only its submitter, only once rejected or withdrawn."""
    practice = await _mine(ctx, args)
    if practice is None:
        return [TextReply("⛔ " + ctx.t("tracking.not_yours"))]
    if practice.status not in REVISABLE:
        return _not_now(ctx, practice)
    assert practice.id is not None  # a stored practice
    return await begin(ctx, "practice_revise", practice.id)


class ReviseFlow(TargetedFlow, self_assessment.RevisionFlow):
    """Starts at the summary of the stored answers and self-assessment: nothing is asked again
    unless chosen (or new: a question or criterion added since it was sent)."""

    async def start(self, ctx: Context) -> list[Reply]:
        target = ctx.state.target or 0
        reset_state(ctx, flow=self.name, draft=self.draft_model())
        ctx.state.target = target
        practice = await own_practice(ctx, target)
        if practice is None:
            reset_state(ctx, flow=None)
            return [TextReply("⛔ " + ctx.t("tracking.not_yours"))]
        ctx.answers.update(stored_answers(practice.answers))
        lead = await _intro(ctx, practice)
        if note := await self_assessment.resume(ctx, practice):
            lead = f"{lead}\n\n{note}"
        # A question the form gained since it was sent (or a gap) is asked first, then the
        # criteria not answered yet, then the summary; otherwise the summary straight away.
        if (missing := self.form.next_unanswered(ctx.answers)) is not None:
            ctx.conversation.step = missing.name
            return await self.reask(ctx, lead=lead)
        return await self._next_or_summary(ctx, lead=lead, refresh=False)  # resume did


async def _intro(ctx: Context, practice: Practice) -> str:
    assert practice.id is not None  # a stored practice
    rejected = await reviews.latest_event(ctx.session, practice_id=practice.id,
                                          kind=PracticeEventKind.REJECTED)
    reason = rejected.note if rejected and practice.status == PracticeStatus.REJECTED else None
    return ctx.t("pr_revise.intro", code=practice.code, reason=reason or "—")


async def _revised(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    practice = await own_practice(ctx, target_of(ctx))
    if practice is None or practice.status not in REVISABLE:
        return [TextReply("⚠️ " + ctx.t("pr_revise.too_late"))]
    changed = [spec.name for spec in PRACTICE_FORM.fields
               if answers.get(spec.name) != practice.answers.get(spec.name)]
    if await self_assessment.changed_since_sent(ctx, practice):
        changed.append(self_assessment.FIELD)
    answered = PracticeEventKind.REJECTED if practice.status == PracticeStatus.REJECTED \
        else PracticeEventKind.WITHDRAWN
    await resubmit(ctx, practice, answers, changed=changed, answered_kind=answered)
    await self_assessment.store(ctx, practice)
    return [TextReply(ctx.t("pr_fix.sent", code=practice.code))]


# -- withdraw -------------------------------------------------------------------------------


async def withdraw(ctx: Context, args: list[str]) -> list[Reply]:
    """``pr_withdraw:<id>``: asks first; withdrawing stops the officials' review."""
    practice = await _mine(ctx, args)
    if practice is None:
        return [TextReply("⛔ " + ctx.t("tracking.not_yours"))]
    if practice.status != PracticeStatus.SUBMITTED:
        return _not_now(ctx, practice)
    options = [Option(ctx.t("pr_withdraw.yes"), f"pr_withdraw_ok:{practice.id}"),
               Option(ctx.t("pr_withdraw.no"), f"pr_view:{practice.id}")]
    return [TextReply(ctx.t("pr_withdraw.confirm", code=practice.code), tuple(options),
                      token=ctx.offer_actions(options))]


async def withdraw_confirmed(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await _mine(ctx, args)
    if practice is None:
        return [TextReply("⛔ " + ctx.t("tracking.not_yours"))]
    if practice.status != PracticeStatus.SUBMITTED:
        return _not_now(ctx, practice)
    assert ctx.person.id is not None  # a stored person
    await reviews.add_event(ctx.session, practice=practice, kind=PracticeEventKind.WITHDRAWN,
                            actor_id=ctx.person.id, now=to_db(ctx.now),
                            to_status=PracticeStatus.WITHDRAWN)
    return await review.leader_view(
        ctx, practice, lead="✅ " + ctx.t("pr_withdraw.done", code=practice.code))


async def _unused_intro(ctx: Context, target: int) -> str:
    return ""  # ReviseFlow.start writes its own intro from the practice


def build_flow() -> ReviseFlow:
    return ReviseFlow("practice_revise", PRACTICE_FORM, _revised, intro=_unused_intro)


ACTIONS = [Action("pr_revise", revise), Action("pr_withdraw", withdraw),
           Action("pr_withdraw_ok", withdraw_confirmed)]
