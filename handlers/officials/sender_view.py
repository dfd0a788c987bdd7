"""What the sender of feedback sees of the officials' work: their view of it, what they can do
next, and the notice each answer or status change sends them. Officials speak for their unit
here, never by name. Used by /status (handlers/tracking.py), the sender's follow-up
(handlers/followup.py) and every official action (feedback_actions.py, review.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from handlers.clock import from_db
from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import notices, render
from handlers.replies import ACTION_TOKEN, Option, PhotoReply, Reply, TextReply
from storage.models import (
    CLOSED_FEEDBACK_STATUSES,
    Feedback,
    FeedbackEvent,
    FeedbackPhoto,
    FeedbackStatus,
    Person,
    id_of,
    is_open,
)
from storage.repositories import feedback as feedback_repo
from storage.repositories import officials as officials_repo

REOPEN_WINDOW = timedelta(days=14)
REPORTER = "reporter"


async def reporter_view(ctx: Context, feedback: Feedback, lead: str | None = None) -> list[Reply]:
    events = await feedback_repo.events_of(ctx.session, id_of(feedback))
    actors = await _officials_of(ctx, events)
    lines = [
        ctx.t("fbcard.title", code=feedback.code),
        ctx.t("fbcard.status", status=ctx.t(f"status.feedback.{feedback.status}")),
        ctx.t("fbcard.category", category=ctx.t(f"option.category.{feedback.category}")),
        ctx.t("fbcard.place", place=render.unit_label(ctx, feedback.commune_code)),
        ctx.t("fbcard.sent", when=render.when(ctx, feedback.created_at)),
        ctx.t("tracking.anonymous" if feedback.anonymous else "tracking.named"),
    ]
    if feedback.satisfaction is not None:
        lines.append(ctx.t("fbcard.rating", rating=feedback.satisfaction))
    if feedback.merged_into_id and (survivor := await feedback_repo.get(
            ctx.session, feedback.merged_into_id)):
        lines.append(ctx.t("fbcard.merged_into", code=survivor.code))
    lines += ["", ctx.t("fbcard.text"), render.excerpt(feedback.text, 1000), "",
              ctx.t("fbcard.history")]
    lines += [_reporter_history_line(ctx, ctx.t, e, actors) for e in events]
    text = "\n".join(lines)
    if lead:
        text = f"{lead}\n\n{text}"
    options = reporter_options(ctx, ctx.t, feedback)
    token = ctx.offer_actions(options) if options else None
    return [TextReply(text, tuple(options), token=token)]


def reporter_options(ctx: Context, t: Translator, feedback: Feedback) -> list[Option]:
    """What the sender can do now: add to open feedback; rate or reopen closed feedback; see
    the feedback a merged one was merged into (they follow it)."""
    if is_open(feedback.status):
        return [Option(t("tracking.add"), f"fb_add:{feedback.id}")]
    if feedback.status == FeedbackStatus.MERGED:
        return [Option(t("tracking.view"), f"fb_view:{feedback.merged_into_id}")]
    options = []
    if feedback.satisfaction is None:
        options += [Option("⭐" * n, f"fb_rate:{feedback.id}:{n}") for n in range(1, 6)]
    if may_reopen(ctx, feedback):
        options.append(Option(t("tracking.reopen"), f"fb_reopen:{feedback.id}"))
    return options


def _reporter_history_line(ctx: Context, t: Translator, event: FeedbackEvent,
                           actors: dict[int, Person]) -> str:
    if event.actor_role == REPORTER:
        actor = t("tracking.you")
    elif event.actor_id is None:
        actor = t("history.system")
    else:
        actor = official_as_seen_by_sender(ctx, t, actors.get(event.actor_id or 0))
    what = render.history_what(ctx, t, event)
    return f"• {render.when(ctx, event.created_at)} — {actor}: {what}"


def official_as_seen_by_sender(ctx: Context, t: Translator, official: Person | None) -> str:
    """Officials speak for their unit: the sender never sees an official's own name or account."""
    unit = ctx.units.get(official.unit_code or "") if official else None
    return t("tracking.officials_of", unit=unit.name) if unit else t("tracking.officials")


async def _officials_of(ctx: Context, events: Sequence[FeedbackEvent]) -> dict[int, Person]:
    return await officials_repo.people_by_id(
        ctx.session, [e.actor_id for e in events if e.actor_role != REPORTER])


async def notify_reporter(ctx: Context, feedback: Feedback, event: FeedbackEvent,
                          photos: Sequence[FeedbackPhoto] = ()) -> None:
    """Tell the sender what an official did, with proof photos and what they can do next."""

    def build(t: Translator) -> list[Reply]:
        official = official_as_seen_by_sender(ctx, t, ctx.person)
        text = t("tracking.notice", code=feedback.code, official=official,
                 what=render.history_what(ctx, t, event),
                 status=t(f"status.feedback.{feedback.status}"))
        if event.to_status in CLOSED_FEEDBACK_STATUSES:
            text += "\n\n" + t("tracking.rate_ask")
        replies: list[Reply] = [
            PhotoReply(p.path, caption=t("tracking.proof_photo", code=feedback.code))
            for p in photos]
        options = reporter_options(ctx, t, feedback) or [
            Option(t("tracking.view"), f"fb_view:{feedback.id}")]
        replies.append(TextReply(text, tuple(options), token=ACTION_TOKEN))
        return replies

    await notices.to_person(ctx, feedback.reporter_id,
                            f"fb:{feedback.id}:ev:{event.id}:to:{feedback.reporter_id}", build)


def may_reopen(ctx: Context, feedback: Feedback) -> bool:
    return (feedback.status in CLOSED_FEEDBACK_STATUSES and feedback.reopen_count == 0
            and feedback.closed_at is not None
            and ctx.now - from_db(feedback.closed_at) <= REOPEN_WINDOW)
