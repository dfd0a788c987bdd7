"""A leader edits a practice an official sent back, and resubmits it.

The practice form is asked again with every answer kept except the fields the official named;
after those, the usual summary lets the leader check (and change anything else, the
self-assessment too: handlers/self_assessment.py) before sending.
"""

from __future__ import annotations

from typing import Any

from handlers import self_assessment
from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import notices, render
from handlers.practice_form import PRACTICE_FORM, stored_answers
from handlers.replies import ACTION_TOKEN, Option, Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import Practice, PracticeEventKind, PracticeStatus, id_of
from storage.repositories import practices, reviews

# Answers kept in columns of their own (the rest live only in `Practice.answers`).
_COLUMNS = (
    "submitter_kind", "submitter_name", "field", "title", "description", "clear_who",
    "clear_what", "clear_when", "clear_responsibility", "clear_product", "clear_authority",
    "people_mobilised", "organisations_taking_part", "people_groups", "contribution_workdays",
    "contribution_money_vnd",
    "contribution_other", "results", "village", "priority_task", "difficult_area",
)


async def own_practice(ctx: Context, practice_id: int) -> Practice | None:
    practice = await reviews.get_practice(ctx.session, practice_id)
    if practice is None or practice.submitter_id != ctx.person.id:
        return None
    return practice


async def edit(ctx: Context, args: list[str]) -> list[Reply]:
    """``pr_edit:<id>``: only the submitter, only while changes are asked for."""
    practice = None
    if args and args[0].isdigit() and len(args[0]) <= 12:
        practice = await own_practice(ctx, int(args[0]))
    if practice is None:
        return [TextReply("⛔ " + ctx.t("tracking.not_yours"))]
    if practice.status != PracticeStatus.CHANGES_REQUESTED:
        return [TextReply("⚠️ " + ctx.t("pr_fix.not_now", code=practice.code,
                                         status=ctx.t(f"status.practice.{practice.status}")))]
    return await begin(ctx, "practice_fix", id_of(practice))


async def _requested(ctx: Context, practice_id: int) -> list[str]:
    event = await reviews.latest_event(ctx.session, practice_id=practice_id,
                                       kind=PracticeEventKind.CHANGES_REQUESTED)
    return list(event.field_names) if event else []


async def _prefill(ctx: Context, target: int) -> dict[str, Any]:
    practice = await own_practice(ctx, target)
    if practice is None:
        return {}
    requested = set(await _requested(ctx, target))
    requested |= {f"{name}_voice" for name in requested}  # a spoken answer is asked again too
    return {name: value for name, value in stored_answers(practice.answers).items()
            if name not in requested}


async def _intro(ctx: Context, target: int) -> str:
    practice = await reviews.get_practice(ctx.session, target)
    event = await reviews.latest_event(ctx.session, practice_id=target,
                                       kind=PracticeEventKind.CHANGES_REQUESTED)
    return ctx.t("pr_fix.intro", code=practice.code if practice else "?",
                 fields=render.field_labels(ctx.t, event.field_names if event else []),
                 note=(event.note if event else "") or "—")


async def _resubmitted(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    practice = await own_practice(ctx, target_of(ctx))
    if practice is None or practice.status != PracticeStatus.CHANGES_REQUESTED:
        return [TextReply("⚠️ " + ctx.t("pr_fix.too_late"))]
    requested = await _requested(ctx, id_of(practice))
    changed = [name for name in requested if name in answers]
    if await self_assessment.changed_since_sent(ctx, practice):
        changed.append(self_assessment.FIELD)
    await resubmit(ctx, practice, answers, changed=changed,
                   answered_kind=PracticeEventKind.CHANGES_REQUESTED)
    await self_assessment.store(ctx, practice)
    return [TextReply(ctx.t("pr_fix.sent", code=practice.code))]


async def resubmit(ctx: Context, practice: Practice, answers: dict[str, Any], *,
                   changed: list[str], answered_kind: str) -> None:
    """Store the revised answers under the same code, back to "submitted", with a history
    step naming what changed; officials hear of it as of a new practice, and the official
    whose `answered_kind` step (changes asked, rejection) it answers hears back."""
    commune = ctx.units.get(answers["commune"])
    assert commune is not None
    location = answers.get("location") or {}
    values = {name: answers.get(name) for name in _COLUMNS}
    values.update(
        submitter_type=answers.get("collective_type") or answers.get("individual_type") or "",
        commune_code=commune.code, province_code=commune.province_code,
        latitude=location.get("lat"), longitude=location.get("lon"), answers=answers)
    photos_changed = answers.get("photos") != practice.answers.get("photos")
    video_changed = answers.get("video") != practice.answers.get("video")
    await reviews.update_answers(ctx.session, practice=practice, values=values,
                                 photos=answers["photos"] if photos_changed else None)
    if video_changed:
        await practices.replace_video(ctx.session, practice_id=id_of(practice),
                                      video=answers.get("video"))
    event = await reviews.add_event(
        ctx.session, practice=practice, kind=PracticeEventKind.RESUBMITTED,
        actor_id=id_of(ctx.person), now=to_db(ctx.now), to_status=PracticeStatus.SUBMITTED,
        field_names=changed)
    await notices.practice_to_officials(ctx, practice, "resubmitted", id_of(event))
    asked_by = await reviews.latest_event(ctx.session, practice_id=id_of(practice),
                                          kind=answered_kind)
    if asked_by is not None:
        await _tell_reviewer(ctx, practice, asked_by.actor_id, id_of(event))


async def _tell_reviewer(ctx: Context, practice: Practice, reviewer_id: int,
                         occurrence: int) -> None:
    """The official who asked for the changes hears back, even from another level."""
    def build(t: Translator) -> list[Reply]:
        text = t("prnotice.resubmitted", code=practice.code,
                 title=render.excerpt(practice.title, 120),
                 place=render.unit_label(ctx, practice.commune_code))
        return [TextReply(text, (Option(t("officials.open"), f"pr_open:{practice.id}"),),
                          token=ACTION_TOKEN)]

    await notices.to_person(
        ctx, reviewer_id, f"pr:{practice.id}:resubmitted:{occurrence}:to:{reviewer_id}", build)


class FixFlow(TargetedFlow, self_assessment.RevisionFlow):
    """The fields asked again, then the criteria added since (if any), then the summary with
    the current self-assessment."""

    async def prepare(self, ctx: Context, target: int) -> None:
        practice = await own_practice(ctx, target)
        if practice is not None:
            await self_assessment.resume(ctx, practice)


def build_flow() -> TargetedFlow:
    return FixFlow("practice_fix", PRACTICE_FORM, _resubmitted, intro=_intro,
                   prefill=_prefill)


ACTIONS = [Action("pr_edit", edit)]
