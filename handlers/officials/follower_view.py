"""What a follower sees of a feedback someone else sent (they had the same problem and chose to
follow it, or their own feedback was merged into it): its status, place, a short text and the
officials' steps; told of each status change like the sender.

Followers never learn who sent it or who else follows it, and see no one's words but an
official's on a status change (a resolution, a rejection): an answer to the sender, the
sender's additions and reasons stay between the sender and the officials.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import notices, render, sender_view
from handlers.replies import ACTION_TOKEN, Option, PhotoReply, Reply, TextReply
from storage.models import Feedback, FeedbackEvent, FeedbackEventKind, FeedbackPhoto, Person
from storage.repositories import feedback as feedback_repo
from storage.repositories import followers as followers_repo
from storage.repositories import officials as officials_repo

OFFICIAL = "official"


def _official_words(event: FeedbackEvent) -> bool:
    """An official's words on a status change: what was done about the shared problem."""
    return event.kind == FeedbackEventKind.STATUS and event.actor_role == OFFICIAL


def _what(ctx: Context, t: Translator, event: FeedbackEvent) -> str:
    return render.history_what(ctx, t, event, with_text=_official_words(event))


async def follower_view(ctx: Context, feedback: Feedback, lead: str | None = None
                        ) -> list[Reply]:
    events = await feedback_repo.events_of(ctx.session, feedback.id or 0)
    actors = await officials_repo.people_by_id(
        ctx.session, [e.actor_id for e in events if e.actor_role == OFFICIAL])
    t = ctx.t
    lines = [
        t("fbcard.title", code=feedback.code),
        t("fbcard.status", status=t(f"status.feedback.{feedback.status}")),
        t("fbcard.category", category=t(f"option.category.{feedback.category}")),
        t("fbcard.place", place=render.unit_label(ctx, feedback.commune_code)),
        t("fbcard.sent", when=render.when(ctx, feedback.created_at)),
        t("follower.you_follow"),
        "", t("fbcard.text"), render.excerpt(feedback.text, 300), "", t("fbcard.history"),
    ]
    lines += [_history_line(ctx, t, event, actors) for event in events]
    text = "\n".join(lines)
    return [TextReply(f"{lead}\n\n{text}" if lead else text)]


def _history_line(ctx: Context, t: Translator, event: FeedbackEvent,
                  actors: dict[int, Person]) -> str:
    if event.actor_role == sender_view.REPORTER:
        actor = t("follower.sender")
    elif event.actor_id is None:
        actor = t("history.system")
    else:
        actor = sender_view.official_as_seen_by_sender(ctx, t, actors.get(event.actor_id))
    return f"• {render.when(ctx, event.created_at)} — {actor}: {_what(ctx, t, event)}"


async def tell_sender_and_followers(ctx: Context, feedback: Feedback, event: FeedbackEvent,
                                    photos: Sequence[FeedbackPhoto] = ()) -> None:
    """An official's step: the sender hears all of it, followers of a status change."""
    await sender_view.notify_reporter(ctx, feedback, event, photos)
    await notify_followers(ctx, feedback, event, photos)


async def notify_followers(ctx: Context, feedback: Feedback, event: FeedbackEvent,
                           photos: Sequence[FeedbackPhoto] = ()) -> None:
    """Tell each follower that the feedback's status changed (and an official's words on it)."""
    if event.to_status is None or event.to_status == event.from_status:
        return
    proofs = photos if _official_words(event) else ()

    def build(t: Translator) -> list[Reply]:
        official = (sender_view.official_as_seen_by_sender(ctx, t, ctx.person)
                    if event.actor_role == OFFICIAL else t("follower.sender"))
        text = t("follower.notice", code=feedback.code, official=official,
                 what=_what(ctx, t, event), status=t(f"status.feedback.{feedback.status}"))
        replies: list[Reply] = [
            PhotoReply(p.path, caption=t("tracking.proof_photo", code=feedback.code))
            for p in proofs]
        options = (Option(t("tracking.view"), f"fb_view:{feedback.id}"),)
        replies.append(TextReply(text, options, token=ACTION_TOKEN))
        return replies

    for person_id in await followers_repo.follower_ids(ctx.session, feedback.id or 0):
        await notices.to_person(ctx, person_id,
                                f"fb:{feedback.id}:ev:{event.id}:to:{person_id}", build)
