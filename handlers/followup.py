"""What a sender does after sending feedback: look at it, add text or photos while it is open,
rate the result (1–5, an optional comment), and reopen it once within 14 days.

Each button names a feedback by id; only its sender may act on it (anyone else is refused and
the attempt logged). Officials hear of each step through `handlers/officials/notices.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from handlers import voice
from handlers.abuse import muting
from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import feedback_actions, follower_view, jurisdiction, notices, sender_view
from handlers.replies import Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import (
    CLOSED_FEEDBACK_STATUSES,
    Feedback,
    FeedbackEventKind,
    FeedbackStatus,
    id_of,
    is_open,
)
from storage.repositories import feedback as feedback_repo
from storage.repositories import followers as followers_repo

log = logging.getLogger(__name__)

REPORTER = sender_view.REPORTER


# -- the sender's actions -------------------------------------------------------------------


async def _view(ctx: Context, feedback: Feedback, warning_key: str) -> list[Reply]:
    return await sender_view.reporter_view(ctx, feedback, lead="⚠️ " + ctx.t(warning_key))


async def _own_feedback(ctx: Context, args: list[str], action: str) -> Feedback | None:
    """The feedback an action names, if this person sent it; None (logged) otherwise."""
    if args and args[0].isdigit() and len(args[0]) <= 12:
        feedback = await feedback_repo.get(ctx.session, int(args[0]))
        if feedback is not None and feedback.reporter_id == ctx.person.id:
            return feedback
    log.warning("feedback action refused", extra={
        "action": action, "reason": "not_sender", "person_id": ctx.person.id,
        "update_id": ctx.event.update_id})
    return None


def _not_yours(ctx: Context) -> list[Reply]:
    return [TextReply("⛔ " + ctx.t("tracking.not_yours"))]


async def view(ctx: Context, args: list[str]) -> list[Reply]:
    """``fb_view:<id>``: the sender's view, or the card for an official responsible for it."""
    if jurisdiction.official_scope(ctx) is not None:
        mine = (args and args[0].isdigit() and len(args[0]) <= 12
                and await feedback_repo.get(ctx.session, int(args[0])))
        if not (mine and mine.reporter_id == ctx.person.id):
            return await feedback_actions.open_card(ctx, args)
    if followed := await _followed_feedback(ctx, args):
        return await follower_view.follower_view(ctx, followed)
    feedback = await _own_feedback(ctx, args, "fb_view")
    if feedback is None:
        return _not_yours(ctx)
    return await sender_view.reporter_view(ctx, feedback)


async def _followed_feedback(ctx: Context, args: list[str]) -> Feedback | None:
    """The feedback an action names, if this person follows it (handlers/duplicates.py)."""
    if not (args and args[0].isdigit() and len(args[0]) <= 12):
        return None
    if not await followers_repo.is_follower(ctx.session, feedback_id=int(args[0]),
                                            person_id=ctx.person.id or 0):
        return None
    return await feedback_repo.get(ctx.session, int(args[0]))


async def add(ctx: Context, args: list[str]) -> list[Reply]:
    feedback = await _own_feedback(ctx, args, "fb_add")
    if feedback is None:
        return _not_yours(ctx)
    if not is_open(feedback.status):
        return await _view(ctx, feedback, "tracking.closed_no_add")
    if muting.muted_until(ctx) is not None:  # adding would reach the officials, like new feedback
        return [TextReply(muting.refusal_text(ctx))]
    return await begin(ctx, "fb_addition", id_of(feedback))


async def rate(ctx: Context, args: list[str]) -> list[Reply]:
    feedback = await _own_feedback(ctx, args, "fb_rate")
    if feedback is None:
        return _not_yours(ctx)
    rating = int(args[1]) if len(args) == 2 and args[1].isdigit() and len(args[1]) < 3 else None
    if rating is None or not 1 <= rating <= 5:
        log.warning("feedback action refused", extra={"action": "fb_rate", "reason": "rating",
                                                      "person_id": ctx.person.id})
        return await _view(ctx, feedback, "tracking.rating_range")
    if feedback.status not in CLOSED_FEEDBACK_STATUSES:
        return await _view(ctx, feedback, "tracking.rate_not_yet")
    if feedback.satisfaction is not None:
        return [TextReply("⚠️ " + ctx.t("tracking.already_rated", rating=feedback.satisfaction))]
    now = to_db(ctx.now)
    feedback.satisfaction, feedback.rated_at, feedback.satisfaction_comment = rating, now, None
    await feedback_repo.add_event(ctx.session, feedback=feedback, kind=FeedbackEventKind.RATED,
                                  actor_id=_actor_id(feedback), actor_role=REPORTER, now=now,
                                  rating=rating)
    await notices.feedback_to_officials(ctx, feedback, "rated", f"{feedback.reopen_count}",
                                        detail=ctx.t("history.rated", rating=rating))
    thanks = ctx.t("tracking.rated", rating=rating)
    if ctx.conversation.flow:
        return [TextReply(thanks)]
    return [TextReply(thanks)] + await begin(ctx, "fb_rating_comment", id_of(feedback))


async def reopen(ctx: Context, args: list[str]) -> list[Reply]:
    feedback = await _own_feedback(ctx, args, "fb_reopen")
    if feedback is None:
        return _not_yours(ctx)
    if problem := _reopen_problem(ctx, feedback):
        return [TextReply("⚠️ " + ctx.t(problem))]
    return await begin(ctx, "fb_reopen", id_of(feedback))


def _reopen_problem(ctx: Context, feedback: Feedback) -> str | None:
    if feedback.status not in CLOSED_FEEDBACK_STATUSES:
        return "tracking.reopen_not_closed"
    if feedback.reopen_count:
        return "tracking.reopen_once"
    if not sender_view.may_reopen(ctx, feedback):
        return "tracking.reopen_too_late"
    return None


def _actor_id(feedback: Feedback) -> int | None:
    """The sender's id for the history, unless the feedback is anonymous."""
    return None if feedback.anonymous else feedback.reporter_id


# -- small forms: add to a feedback, comment on a rating, say why it is not solved -----------


def _intro(key: str) -> Callable[[Context, int], Awaitable[str]]:
    async def intro(ctx: Context, target: int) -> str:
        feedback = await feedback_repo.get(ctx.session, target)
        return ctx.t(key, code=feedback.code if feedback else "?")

    return intro


ADDITION_FORM = Form("fb_addition", (
    FieldSpec("text", Kind.TEXT, required=False, max_length=2000, voice=True),
    FieldSpec("photos", Kind.PHOTOS, min_items=0, max_items=5),
))
COMMENT_FORM = Form("fb_rating", (FieldSpec("comment", Kind.TEXT, required=False,
                                            max_length=1000),))
REOPEN_FORM = Form("fb_reopen", (FieldSpec("reason", Kind.TEXT, max_length=1000),))


async def _added(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    feedback = await _own_feedback(ctx, [str(target_of(ctx))], "fb_addition")
    if feedback is None:
        return _not_yours(ctx)
    if not is_open(feedback.status):
        return [TextReply("⚠️ " + ctx.t("tracking.closed_no_add"))]
    text, photos = answers.get("text"), answers.get("photos") or []
    note = answers.get("text_voice")
    if not text and not photos and not note:
        return [TextReply(ctx.t("tracking.nothing_added"))]
    await feedback_repo.add_event(ctx.session, feedback=feedback,
                                  kind=FeedbackEventKind.ADDITION, actor_id=_actor_id(feedback),
                                  actor_role=REPORTER, now=to_db(ctx.now), text=text or None,
                                  photos=photos, voice=note)
    events = await feedback_repo.events_of(ctx.session, id_of(feedback))
    detail = text or (ctx.t("voice.answer", length=voice.length(note["duration_seconds"]))
                      if note else ctx.t("summary.photos", count=len(photos)))
    await notices.feedback_to_officials(ctx, feedback, "addition", id_of(events[-1]),
                                        detail=detail)
    return [TextReply(ctx.t("tracking.added", code=feedback.code))]


async def _commented(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    feedback = await _own_feedback(ctx, [str(target_of(ctx))], "fb_rating_comment")
    if feedback is None or feedback.satisfaction is None:
        return _not_yours(ctx)
    comment = answers.get("comment")
    if comment:
        feedback.satisfaction_comment = comment
        events = await feedback_repo.events_of(ctx.session, id_of(feedback))
        rated = [e for e in events if e.kind == FeedbackEventKind.RATED]
        if rated:
            rated[-1].text = comment
            ctx.session.add(rated[-1])
        ctx.session.add(feedback)
    return [TextReply(ctx.t("tracking.thanks"))]


async def _reopened(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    feedback = await _own_feedback(ctx, [str(target_of(ctx))], "fb_reopen")
    if feedback is None:
        return _not_yours(ctx)
    if problem := _reopen_problem(ctx, feedback):
        return [TextReply("⚠️ " + ctx.t(problem))]
    now = to_db(ctx.now)
    previous = feedback.status
    feedback.status = FeedbackStatus.IN_PROGRESS
    feedback.reopened_at, feedback.reopen_count = now, feedback.reopen_count + 1
    feedback.satisfaction = feedback.rated_at = feedback.satisfaction_comment = None
    feedback.resolved_at = feedback.closed_at = None
    event = await feedback_repo.add_event(
        ctx.session, feedback=feedback, kind=FeedbackEventKind.REOPENED,
        actor_id=_actor_id(feedback), actor_role=REPORTER, now=now, from_status=previous,
        to_status=feedback.status, text=answers["reason"])
    await notices.feedback_to_officials(ctx, feedback, "reopened", id_of(event),
                                        detail=answers["reason"])
    await follower_view.notify_followers(ctx, feedback, event)
    return [TextReply(ctx.t("tracking.reopened", code=feedback.code))]


def build_flows() -> list[TargetedFlow]:
    return [
        TargetedFlow("fb_addition", ADDITION_FORM, _added, intro=_intro("fb_addition.intro")),
        TargetedFlow("fb_rating_comment", COMMENT_FORM, _commented,
                     intro=_intro("fb_rating.intro"), confirm=False),
        TargetedFlow("fb_reopen", REOPEN_FORM, _reopened, intro=_intro("fb_reopen.intro")),
    ]


ACTIONS = [Action("fb_view", view), Action("fb_add", add), Action("fb_rate", rate),
           Action("fb_reopen", reopen)]
