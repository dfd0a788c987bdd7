"""Reviewing practices: open one, approve it, ask for changes, reject it with a reason.

The leader who submitted it is told of every step (`notify_leader`) and can follow it with
/tracuu <code>; asking for changes is `handlers/officials/changes.py`, the leader's edits are
`handlers/practice_fix.py`, recognition and nomination are `handlers/officials/levels.py`,
residents' consultations `handlers/officials/consultation_open.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.i18n import Translator
from handlers.officials import (
    adoptions,
    assessment_view,
    audit,
    consultation_view,
    level_rules,
    notices,
    render,
)
from handlers.officials.jurisdiction import (
    Refused,
    official_scope,
    practice_for_official,
    refuse,
)
from handlers.officials.sender_view import official_as_seen_by_sender
from handlers.practice_form import PRACTICE_FORM
from handlers.replies import ACTION_TOKEN, Option, Reply, TextReply
from handlers.summary import content_lines
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import (
    PUBLIC_PRACTICE_STATUSES,
    AssessmentKind,
    Level,
    Practice,
    PracticeEvent,
    PracticeEventKind,
    PracticeStatus,
    PracticeUpdateStatus,
    id_of,
)
from storage.repositories import criteria as criteria_repo
from storage.repositories import officials as officials_repo
from storage.repositories import people, practice_life, practices, reviews
from storage.repositories.officials import scope_of

P = PracticeStatus


# -- the card -------------------------------------------------------------------------------


async def open_card(ctx: Context, args: list[str], lead: str | None = None) -> list[Reply]:
    practice = await practice_for_official(ctx, args, action="pr_open")
    if isinstance(practice, Refused):
        return practice.replies
    await audit.on_practice(ctx, "practice.view", practice)
    return await card(ctx, practice, lead)


async def card(ctx: Context, practice: Practice, lead: str | None = None) -> list[Reply]:
    """The practice for an official; its photos only when opened (not after each action)."""
    events = await reviews.events_of(ctx.session, id_of(practice))
    actors = await officials_repo.people_by_id(ctx.session, [e.actor_id for e in events])
    photos, text = render.practice_card(
        ctx, ctx.t, practice, events, await practices.photos_of(ctx.session, id_of(practice)),
        actors, await reviews.recognitions_of(ctx.session, id_of(practice)),
        await reviews.consensus_of(ctx.session, id_of(practice)))
    text = assessment_view.with_section(
        ctx.t, text, await criteria_repo.assessments_of(ctx.session, id_of(practice)))
    extra = await level_rules.card_lines(ctx, practice)
    extra += await consultation_view.card_lines(ctx, practice)
    if extra:
        text = text + "\n\n" + "\n".join(extra)
    if lead:
        text = f"{lead}\n\n{text}"
    options = await card_options(ctx, practice)
    shown = photos if lead is None else []
    options = await pending_updates(ctx, practice) + options  # updates waiting for a check
    return shown + [TextReply(text, tuple(options), token=ctx.offer_actions(options))]


async def card_options(ctx: Context, practice: Practice) -> list[Option]:
    t, pid = ctx.t, practice.id
    options = []
    if practice.status == P.SUBMITTED:
        options = [Option(t("pract.approve"), f"pr_ok:{pid}"),
                   Option(t("pract.changes"), f"pr_changes:{pid}"),
                   Option(t("pract.reject"), f"pr_reject:{pid}"),
                   Option(t("pract.assess"), f"pr_assess:{pid}")]
    else:  # recognise, nominate, consult: only where this official may, now
        options = await level_rules.card_options(ctx, practice)
        if any(o.value.startswith("pr_rec:") for o in options):  # scored when recognising
            options.insert(1, Option(t("pract.assess"), f"pr_assess:{pid}"))
        options += await consultation_view.card_options(ctx, practice)
        options += await adoptions.card_options(ctx, practice)  # "nhân rộng" declarations
    return options + [Option(t("inbox.back"), "inbox:1")]


async def open_by_code(ctx: Context, code: str) -> list[Reply] | None:
    """/status MH-…: the leader's view for its submitter, the card for a responsible official."""
    practice = await practices.get_by_code(ctx.session, code)
    if practice is not None and practice.submitter_id == ctx.person.id:
        return await leader_view(ctx, practice)
    scope = official_scope(ctx)
    if scope is None:
        return None
    if practice is None or not scope.covers_practice(practice):
        return refuse(ctx, action="status", reason="outside" if practice else "not_found",
                      item="practice", item_id=practice.id if practice else None,
                      message="officials.refused.outside").replies
    await audit.on_practice(ctx, "practice.view", practice)
    return await card(ctx, practice)


async def pending_updates(ctx: Context, practice: Practice) -> list[Option]:
    """Its updates waiting for a light check (handlers/practice_updates.py), the oldest few,
    so none is lost with a notice."""
    if practice.status not in PUBLIC_PRACTICE_STATUSES or practice.id is None:
        return []
    waiting = await practice_life.updates_of(ctx.session, practice.id,
                                             status=PracticeUpdateStatus.PENDING)
    return [Option(ctx.t("pr_update.waiting", when=render.when(ctx, u.created_at)[:10]),
                   f"pu_open:{u.id}") for u in waiting[:3]]


# -- the leader's side ----------------------------------------------------------------------


LEADER_STEPS = (PracticeEventKind.RESUBMITTED, PracticeEventKind.WITHDRAWN)
"""History steps the submitter took themselves."""


async def leader_view(ctx: Context, practice: Practice, lead: str | None = None) -> list[Reply]:
    """Everything the submitter sent, as they sent it, then where it stands and what they can
    do: edit it when changes are asked, revise a rejected one, withdraw a pending one. Their
    own self-assessment is part of what they sent; officials' scores are not shown here."""
    own = assessment_view.section(ctx.t, [
        row for row in await criteria_repo.assessments_of(ctx.session, id_of(practice))
        if row.kind == AssessmentKind.SELF])  # officials' scores and comments stay theirs
    lines = [ctx.t("prcard.title", code=practice.code, title=practice.title),
             ctx.t("prcard.status", status=ctx.t(f"status.practice.{practice.status}")),
             "", ctx.t("prcard.content"),
             *content_lines(ctx, PRACTICE_FORM, practice.answers),
             *([""] + own if own else []),
             "", ctx.t("fbcard.history"),
             ctx.t("prhistory.submitted", when=render.when(ctx, practice.created_at))]
    if lead:
        lines = [lead, "", *lines]
    for event in await reviews.events_of(ctx.session, id_of(practice)):
        actor = ctx.t("tracking.you") if event.kind in LEADER_STEPS else \
            await _officials_unit(ctx, ctx.t, event.actor_id)
        lines.append(f"• {render.when(ctx, event.created_at)} — {actor}: "
                     + render.practice_event_what(ctx.t, event))
    options = leader_options(ctx.t, practice)
    if practice.status in PUBLIC_PRACTICE_STATUSES:  # its people keep its page alive
        options.append(Option(ctx.t("pract.add_update"), f"pu_new:{practice.id}"))
    token = ctx.offer_actions(options) if options else None
    return [TextReply("\n".join(lines), tuple(options), token=token)]


def leader_options(t: Translator, practice: Practice) -> list[Option]:
    if practice.status == P.CHANGES_REQUESTED:
        return [Option(t("pract.edit"), f"pr_edit:{practice.id}")]
    if practice.status in (P.REJECTED, P.WITHDRAWN):
        return [Option(t("pract.revise"), f"pr_revise:{practice.id}")]
    if practice.status == P.SUBMITTED:
        return [Option(t("pract.withdraw"), f"pr_withdraw:{practice.id}")]
    return []


async def _officials_unit(ctx: Context, t: Translator, person_id: int) -> str:
    return official_as_seen_by_sender(ctx, t, await people.get_person(ctx.session, person_id))


async def notify_leader(ctx: Context, practice: Practice, event: PracticeEvent) -> None:
    """Tell the submitter what an official decided, in the name of the official's unit."""
    unit = scope_of(ctx.person)
    level = unit.level if unit else Level.COMMUNE

    def build(t: Translator) -> list[Reply]:
        text = t("prnotice.leader", code=practice.code, title=render.excerpt(practice.title, 120),
                 official=official_as_seen_by_sender(ctx, t, ctx.person),
                 what=render.practice_event_what(t, event),
                 status=t(f"status.practice.{practice.status}"))
        if event.kind == PracticeEventKind.RECOGNISED:
            text += "\n" + t("prnotice.recognised_level", level=t(f"level.{level}"))
        options = leader_options(t, practice) or [
            Option(t("tracking.view"), f"pr_view:{practice.id}")]
        return [TextReply(text, tuple(options), token=ACTION_TOKEN)]

    await notices.to_person(
        ctx, practice.submitter_id,
        f"pr:{practice.id}:ev:{event.id}:to:{practice.submitter_id}", build)


async def view(ctx: Context, args: list[str]) -> list[Reply]:
    """``pr_view:<id>``: the leader's view for its submitter, else the officials' card."""
    if args and args[0].isdigit() and len(args[0]) <= 12:
        practice = await reviews.get_practice(ctx.session, int(args[0]))
        if practice is not None and practice.submitter_id == ctx.person.id:
            return await leader_view(ctx, practice)
    return await open_card(ctx, args)


# -- decisions ------------------------------------------------------------------------------


async def approve(ctx: Context, args: list[str]) -> list[Reply]:
    practice = await practice_for_official(ctx, args, action="pr_ok")
    if isinstance(practice, Refused):
        return practice.replies
    if practice.status != P.SUBMITTED:
        return await card(ctx, practice, lead="⚠️ " + ctx.t("pract.not_awaiting"))
    event = await reviews.add_event(ctx.session, practice=practice,
                                    kind=PracticeEventKind.APPROVED, actor_id=id_of(ctx.person),
                                    now=to_db(ctx.now), to_status=P.APPROVED)
    await audit.on_practice(ctx, "practice.approve", practice)
    await notify_leader(ctx, practice, event)
    return await card(ctx, practice, lead="✅ " + ctx.t("pract.approved"))


def _starts(flow_name: str, action: str) -> Callable[[Context, list[str]],
                                                   Awaitable[list[Reply]]]:
    async def run(ctx: Context, args: list[str]) -> list[Reply]:
        practice = await practice_for_official(ctx, args, action=action)
        if isinstance(practice, Refused):
            return practice.replies
        if practice.status != P.SUBMITTED:
            return await card(ctx, practice, lead="⚠️ " + ctx.t("pract.not_awaiting"))
        return await begin(ctx, flow_name, id_of(practice))

    return run


async def awaiting(ctx: Context, action: str) -> Practice | list[Reply]:
    """Re-check at confirmation that the practice still awaits this official's review."""
    practice = await practice_for_official(ctx, [str(target_of(ctx))], action=action)
    if isinstance(practice, Refused):
        return practice.replies
    if practice.status != P.SUBMITTED:
        return [TextReply("⚠️ " + ctx.t("pract.not_awaiting"))]
    return practice


REJECT_FORM = Form("pr_reject", (FieldSpec("reason", Kind.TEXT, max_length=2000),))


async def _rejected(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    practice = await awaiting(ctx, "pr_reject")
    if not isinstance(practice, Practice):
        return practice
    event = await reviews.add_event(ctx.session, practice=practice,
                                    kind=PracticeEventKind.REJECTED, actor_id=id_of(ctx.person),
                                    now=to_db(ctx.now), to_status=P.REJECTED,
                                    note=answers["reason"])
    await audit.on_practice(ctx, "practice.reject", practice)
    await notify_leader(ctx, practice, event)
    return await card(ctx, practice, lead="✅ " + ctx.t("pract.rejected"))


async def _intro(ctx: Context, target: int) -> str:
    practice = await reviews.get_practice(ctx.session, target)
    return ctx.t("pr_reject.intro", code=practice.code if practice else "?")


def build_flows() -> list[TargetedFlow]:
    return [TargetedFlow("pr_reject", REJECT_FORM, _rejected, intro=_intro)]


ACTIONS = [
    Action("pr_open", open_card),
    Action("pr_view", view),
    Action("pr_ok", approve),
    Action("pr_changes", _starts("pr_changes", "pr_changes")),
    Action("pr_reject", _starts("pr_reject", "pr_reject")),
]
