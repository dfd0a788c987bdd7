"""The muted sender's side: a person an official muted (handlers/officials/mute.py) is told so,
in neutral words, at their next message, and cannot send new feedback (nor add to one) until
the mute ends by itself or is lifted. Drafts are kept, and following their feedback works.

The check reads `Person.muted_until`, already loaded with every turn; the mute rows are read
only while that date lies ahead."""

from __future__ import annotations

from datetime import datetime

from handlers.clock import from_db, to_db
from handlers.context import Context
from handlers.replies import Reply, TextReply
from storage.repositories import mutes as mutes_repo

SIGN = "🔇 "


def muted_until(ctx: Context) -> datetime | None:
    """When this person's mute ends, or None if they are not muted now."""
    until = ctx.person.muted_until
    if until is None or from_db(until) <= ctx.now:
        return None
    return from_db(until)


def _until_text(ctx: Context, until: datetime) -> str:
    return ctx.local(until).strftime("%d/%m/%Y %H:%M")


async def tell_once(ctx: Context) -> str | None:
    """The notice of a mute the person has not been told of yet (then marked told)."""
    until = muted_until(ctx)
    if until is None:
        return None
    untold = await mutes_repo.untold(ctx.session, person_id=ctx.person.id or 0,
                                     now=to_db(ctx.now))
    if not untold:
        return None
    mutes_repo.mark_told(ctx.session, untold, to_db(ctx.now))
    ctx.mute_told = True
    return SIGN + ctx.t("mute.notice", until=_until_text(ctx, until))


def refusal_text(ctx: Context) -> str:
    until = muted_until(ctx)
    assert until is not None
    return SIGN + ctx.t("mute.no_new_feedback", until=_until_text(ctx, until))


def refusal(ctx: Context) -> list[Reply]:
    """What a muted person sees on trying to send something new: nothing more when the notice
    of this very turn has said it already."""
    return [] if ctx.mute_told else [TextReply(refusal_text(ctx))]
