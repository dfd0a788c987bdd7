"""What an official does with a feedback: open it, acknowledge, reply, change its status,
resolve (with proof), reject (with a reason), forward it to another unit.

Buttons carry ``fb_<verb>:<id>``; each handler loads the feedback through
`jurisdiction.feedback_for_official`, so a forged payload is refused and logged. Replies to the
sender are relayed by the bot in the name of the official's unit, never from the official's own
account.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from handlers.abuse import flags as abuse_flags
from handlers.abuse import muting
from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.i18n import Translator
from handlers.officials import audit, follower_view, notices, render
from handlers.officials.jurisdiction import Refused, feedback_for_official, official_scope, refuse
from handlers.replies import Option, Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import Feedback, FeedbackEventKind, FeedbackStatus, id_of, is_open
from storage.repositories import feedback as feedback_repo
from storage.repositories import feedback_flags, reviews
from storage.repositories import followers as followers_repo
from storage.repositories import mutes as mutes_repo
from storage.repositories import officials as officials_repo

OFFICIAL = "official"
S = FeedbackStatus

# Where an official may move a feedback by pressing one button; resolving, rejecting and
# forwarding need words (and proof), so they go through their own small forms.
DIRECT_MOVES = {
    S.RECEIVED: (S.NEW, S.FORWARDED),
    S.IN_PROGRESS: (S.NEW, S.FORWARDED, S.RECEIVED),
}


# -- the card -------------------------------------------------------------------------------


async def open_card(ctx: Context, args: list[str], lead: str | None = None) -> list[Reply]:
    feedback = await feedback_for_official(ctx, args, action="fb_open")
    if isinstance(feedback, Refused):
        return feedback.replies
    await audit.on_feedback(ctx, "feedback.view", feedback)
    return await card(ctx, feedback, lead)


async def open_by_code(ctx: Context, code: str, feedback: Feedback | None) -> list[Reply] | None:
    """/status <code> from an official; None when the person is not an official."""
    scope = official_scope(ctx)
    if scope is None:
        return None
    if feedback is None or not scope.covers_feedback(feedback):
        return refuse(ctx, action="status", reason="outside" if feedback else "not_found",
                      item="feedback", item_id=feedback.id if feedback else None,
                      message="officials.refused.outside").replies
    await audit.on_feedback(ctx, "feedback.view", feedback)
    return await card(ctx, feedback)


async def card(ctx: Context, feedback: Feedback, lead: str | None = None) -> list[Reply]:
    """The feedback for an official; its photos and voice notes only when opened (not after
    each action)."""
    events = await feedback_repo.events_of(ctx.session, id_of(feedback))
    photos = await feedback_repo.photos_of(ctx.session, id_of(feedback))
    voices = await feedback_repo.voices_of(ctx.session, id_of(feedback))
    actors = await officials_repo.people_by_id(
        ctx.session, [e.actor_id for e in events if e.actor_role == OFFICIAL])
    warnings = abuse_flags.lines(ctx.t, await feedback_flags.of_feedback(ctx.session,
                                                                         feedback.id or 0))
    mutes = await mutes_repo.active_of(ctx.session, person_id=feedback.reporter_id,
                                       now=to_db(ctx.now))
    if mutes:  # whoever sent it, named or not: the official sees the mute, not the person
        warnings.append(muting.SIGN + ctx.t("fbcard.sender_muted",
                                            until=render.when(ctx, mutes[-1].ends_at)))
    affected = await followers_repo.people_affected(ctx.session, feedback.id or 0)
    merged_into = (await feedback_repo.get(ctx.session, feedback.merged_into_id)
                   if feedback.merged_into_id else None)
    replies, text = render.feedback_card(ctx, ctx.t, feedback, events, photos, actors,
                                         warnings, voices, affected, merged_into)
    if feedback.resolved_by_practice_id and (linked := await reviews.get_practice(
            ctx.session, feedback.resolved_by_practice_id)):
        text += "\n" + ctx.t("fbcard.linked_practice", code=linked.code)
    if lead:
        text = f"{lead}\n\n{text}"
    options = card_options(ctx.t, feedback, muted=bool(mutes))
    shown = replies if lead is None else []  # the photos, unless this answers an action
    return shown + [TextReply(text, tuple(options), token=ctx.offer_actions(options))]


def card_options(t: Translator, feedback: Feedback, *, muted: bool = False) -> list[Option]:
    back = Option(t("inbox.back"), "inbox:1")
    # Muting an abusive sender (handlers/officials/mute.py) stays possible once it is closed.
    mute = (Option(t("fbact.unmute"), f"fb_unmute:{feedback.id}") if muted
            else Option(t("fbact.mute"), f"fb_mute:{feedback.id}"))
    if not is_open(feedback.status):
        if feedback.status == S.RESOLVED:  # the practice whose mobilisation resolved it
            return [Option(t("fbact.link_practice"), f"fb_link:{feedback.id}"), mute, back]
        return [mute, back]
    options = []
    if feedback.status in (S.NEW, S.FORWARDED):
        options.append(Option(t("fbact.ack"), f"fb_ack:{feedback.id}"))
    options += [Option(t("fbact.reply"), f"fb_reply:{feedback.id}"),
                Option(t("fbact.status"), f"fb_status:{feedback.id}"),
                Option(t("fbact.forward"), f"fb_fwd:{feedback.id}"),
                Option(t("fbact.merge"), f"fb_merge:{feedback.id}"), mute, back]
    return options


# -- one-press actions ----------------------------------------------------------------------


async def acknowledge(ctx: Context, args: list[str]) -> list[Reply]:
    return await _move(ctx, args, S.RECEIVED, action="fb_ack")


async def set_status(ctx: Context, args: list[str]) -> list[Reply]:
    """``fb_set:<id>:<status>``: only the moves that need no words."""
    wanted = args[1] if len(args) == 2 else ""
    if wanted not in DIRECT_MOVES:
        return refuse(ctx, action="fb_set", reason="malformed", item="feedback").replies
    return await _move(ctx, args[:1], S(wanted), action="fb_set")


async def _move(ctx: Context, args: list[str], to: FeedbackStatus, *, action: str) -> list[Reply]:
    feedback = await feedback_for_official(ctx, args, action=action)
    if isinstance(feedback, Refused):
        return feedback.replies
    if feedback.status not in DIRECT_MOVES[to]:
        return await card(ctx, feedback, lead="⚠️ " + ctx.t(
            "fbact.cannot_move", status=ctx.t(f"status.feedback.{feedback.status}")))
    event = await feedback_repo.add_event(
        ctx.session, feedback=feedback, kind=FeedbackEventKind.STATUS, actor_id=ctx.person.id,
        actor_role=OFFICIAL, now=to_db(ctx.now), from_status=feedback.status, to_status=to)
    feedback.status = to
    await audit.on_feedback(ctx, "feedback.status", feedback, detail=str(to))
    await follower_view.tell_sender_and_followers(ctx, feedback, event)
    return await card(ctx, feedback, lead="✅ " + ctx.t(
        "fbact.moved", status=ctx.t(f"status.feedback.{to}")))


async def status_menu(ctx: Context, args: list[str]) -> list[Reply]:
    feedback = await feedback_for_official(ctx, args, action="fb_status")
    if isinstance(feedback, Refused):
        return feedback.replies
    if not is_open(feedback.status):
        return await card(ctx, feedback, lead="⚠️ " + ctx.t("fbact.closed"))
    options = []
    if feedback.status != S.IN_PROGRESS:
        options.append(Option(ctx.t("fbact.in_progress"), f"fb_set:{feedback.id}:in_progress"))
    options += [Option(ctx.t("fbact.resolve"), f"fb_resolve:{feedback.id}"),
                Option(ctx.t("fbact.reject"), f"fb_reject:{feedback.id}"),
                Option(ctx.t("fbact.back_to_card"), f"fb_open:{feedback.id}")]
    text = ctx.t("fbact.status_ask", code=feedback.code,
                 status=ctx.t(f"status.feedback.{feedback.status}"))
    return [TextReply(text, tuple(options), token=ctx.offer_actions(options))]


def _starts(flow_name: str, action: str) -> Callable[[Context, list[str]],
                                                   Awaitable[list[Reply]]]:
    """An action that opens one of the small forms below, for an open feedback."""

    async def run(ctx: Context, args: list[str]) -> list[Reply]:
        feedback = await feedback_for_official(ctx, args, action=action)
        if isinstance(feedback, Refused):
            return feedback.replies
        if not is_open(feedback.status):
            return await card(ctx, feedback, lead="⚠️ " + ctx.t("fbact.closed"))
        return await begin(ctx, flow_name, id_of(feedback))

    return run


# -- small forms: reply, resolve, reject, forward ---------------------------------------------

REPLY_FORM = Form("fb_reply", (FieldSpec("answer", Kind.TEXT, max_length=2000),))
RESOLVE_FORM = Form("fb_resolve", (
    FieldSpec("answer", Kind.TEXT, max_length=2000),
    FieldSpec("proof_kind", Kind.CHOICE, options=("photo", "none")),
    FieldSpec("proof", Kind.PHOTOS, min_items=1, max_items=5, when=("proof_kind", "photo")),
    FieldSpec("no_proof_reason", Kind.TEXT, max_length=500, when=("proof_kind", "none")),
))
REJECT_FORM = Form("fb_reject", (FieldSpec("reason", Kind.TEXT, max_length=2000),))
FORWARD_FORM = Form("fb_forward", (
    FieldSpec("target", Kind.CHOICE, options=("province", "commune")),
    FieldSpec("unit", Kind.UNIT, when=("target", "commune")),
    FieldSpec("note", Kind.TEXT, required=False, max_length=1000),
))


async def _still_open(ctx: Context, action: str) -> Feedback | list[Reply]:
    """Re-check at confirmation: the official may have lost the item meanwhile."""
    feedback = await feedback_for_official(ctx, [str(target_of(ctx))], action=action)
    if isinstance(feedback, Refused):
        return feedback.replies
    if not is_open(feedback.status):
        return [TextReply("⚠️ " + ctx.t("fbact.closed"))]
    return feedback


async def _replied(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    feedback = await _still_open(ctx, "fb_reply")
    if not isinstance(feedback, Feedback):
        return feedback
    to = S.RECEIVED if feedback.status in (S.NEW, S.FORWARDED) else None
    await _answer(ctx, feedback, FeedbackEventKind.ANSWER, answers["answer"], to=to)
    return await card(ctx, feedback, lead="✅ " + ctx.t("fbact.replied"))


async def _resolved(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    feedback = await _still_open(ctx, "fb_resolve")
    if not isinstance(feedback, Feedback):
        return feedback
    text = answers["answer"]
    if answers.get("no_proof_reason"):
        text += f"\n({answers['no_proof_reason']})"
    await _answer(ctx, feedback, FeedbackEventKind.STATUS, text, to=S.RESOLVED,
                  photos=answers.get("proof") or [])
    return await card(ctx, feedback, lead="✅ " + ctx.t("fbact.resolved"))


async def _rejected(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    feedback = await _still_open(ctx, "fb_reject")
    if not isinstance(feedback, Feedback):
        return feedback
    await _answer(ctx, feedback, FeedbackEventKind.STATUS, answers["reason"], to=S.REJECTED)
    return await card(ctx, feedback, lead="✅ " + ctx.t("fbact.rejected"))


async def _answer(ctx: Context, feedback: Feedback, kind: str, text: str, *,
                  to: FeedbackStatus | None, photos: list[dict[str, Any]] | None = None) -> None:
    """Record an official's words (and a new status), and relay them to the sender."""
    now = to_db(ctx.now)
    event = await feedback_repo.add_event(
        ctx.session, feedback=feedback, kind=kind, actor_id=ctx.person.id, actor_role=OFFICIAL,
        now=now, from_status=feedback.status if to else None, to_status=to, text=text,
        photos=photos or [])
    if to is not None:
        feedback.status = to
    if feedback.first_answered_at is None:
        feedback.first_answered_at = now
    if to == S.RESOLVED:
        feedback.resolved_at = now
    if to in (S.RESOLVED, S.REJECTED):
        feedback.closed_at = now
    if kind == FeedbackEventKind.ANSWER:
        await audit.on_feedback(ctx, "feedback.reply", feedback, detail=str(to) if to else None)
    else:
        await audit.on_feedback(ctx, "feedback.status", feedback, detail=str(to))
    stored = [p for p in await feedback_repo.photos_of(ctx.session, id_of(feedback))
              if p.event_id == event.id]
    await follower_view.tell_sender_and_followers(ctx, feedback, event, stored)


async def _forwarded(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    feedback = await _still_open(ctx, "fb_forward")
    if not isinstance(feedback, Feedback):
        return feedback
    code = answers.get("unit") if answers["target"] == "commune" else \
        feedback.assigned_province_code
    unit = ctx.units.get(code or "")
    if unit is None or unit.code == feedback.assigned_unit_code:
        return await card(ctx, feedback, lead="⚠️ " + ctx.t("fbact.forward_same"))
    event = await feedback_repo.add_event(
        ctx.session, feedback=feedback, kind=FeedbackEventKind.FORWARDED,
        actor_id=ctx.person.id, actor_role=OFFICIAL, now=to_db(ctx.now),
        from_status=feedback.status, to_status=S.FORWARDED, unit_code=unit.code,
        text=answers.get("note"))
    feedback.status = S.FORWARDED
    await audit.on_feedback(ctx, "feedback.forward", feedback, detail=unit.code)
    feedback.assigned_unit_code, feedback.assigned_province_code = unit.code, unit.province_code
    await follower_view.tell_sender_and_followers(ctx, feedback, event)
    await notices.feedback_to_officials(ctx, feedback, "forwarded", id_of(event),
                                        detail=answers.get("note"))
    return [TextReply("✅ " + ctx.t("fbact.forwarded", code=feedback.code, unit=unit.label))]


def _intro(key: str) -> Callable[[Context, int], Awaitable[str]]:
    async def intro(ctx: Context, target: int) -> str:
        feedback = await feedback_repo.get(ctx.session, target)
        return ctx.t(key, code=feedback.code if feedback else "?")

    return intro


def build_flows() -> list[TargetedFlow]:
    return [
        TargetedFlow("fb_reply", REPLY_FORM, _replied, intro=_intro("fb_reply.intro")),
        TargetedFlow("fb_resolve", RESOLVE_FORM, _resolved, intro=_intro("fb_resolve.intro")),
        TargetedFlow("fb_reject", REJECT_FORM, _rejected, intro=_intro("fb_reject.intro")),
        TargetedFlow("fb_forward", FORWARD_FORM, _forwarded, intro=_intro("fb_forward.intro")),
    ]


ACTIONS = [
    Action("fb_open", open_card),
    Action("fb_ack", acknowledge),
    Action("fb_set", set_status),
    Action("fb_status", status_menu),
    Action("fb_reply", _starts("fb_reply", "fb_reply")),
    Action("fb_resolve", _starts("fb_resolve", "fb_resolve")),
    Action("fb_reject", _starts("fb_reject", "fb_reject")),
    Action("fb_fwd", _starts("fb_forward", "fb_fwd")),
]
