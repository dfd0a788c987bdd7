"""Follow feedback: /status (/tracuu) by code, the sender's view of it, and the notices that
tell the sender of every answer and status change. What the sender can do from there (add to
it, rate it, reopen it) is `handlers/followup.py`.

A code opens a feedback for its sender (anonymous or not) and for the officials responsible for
it; anyone else is told it was not found, so codes cannot be used to peek at other people's
feedback. Officials are answered in their own card (`handlers/officials/feedback_actions.py`);
the sender's view and notices are `handlers/officials/sender_view.py`.
"""

from __future__ import annotations

import re

from handlers.commands import Command
from handlers.context import Context
from handlers.officials import feedback_actions, render, review
from handlers.officials.follower_view import follower_view
from handlers.officials.sender_view import reporter_view
from handlers.replies import Option, Reply, TextReply
from storage.models import Feedback, id_of
from storage.repositories import feedback as feedback_repo
from storage.repositories import followers as followers_repo

CODE = re.compile(r"^(PA|MH)[\s-]*(\d{4})[\s-]*(\d{1,6})$")


def normalise_code(text: str) -> str | None:
    """ "pa-2026-45" → "PA-2026-000045"; None when it is not a code."""
    found = CODE.match(text.strip().upper())
    if not found:
        return None
    prefix, year, number = found.groups()
    return f"{prefix}-{year}-{int(number):06d}"


# -- /status --------------------------------------------------------------------------------


async def status(ctx: Context, args: str) -> list[Reply]:
    if not args.strip():
        return await _my_feedback(ctx)
    code = normalise_code(args)
    if code is None:
        return [TextReply("⚠️ " + ctx.t("tracking.bad_code", text=render.excerpt(args, 30)))]
    for lookup in _LOOKUPS:
        if (replies := await lookup(ctx, code)) is not None:
            return replies
    return [TextReply(ctx.t("tracking.not_found", code=code))]


async def _feedback_lookup(ctx: Context, code: str) -> list[Reply] | None:
    if not code.startswith("PA-"):
        return None
    feedback = await feedback_repo.get_by_code(ctx.session, code)
    if feedback is not None and feedback.reporter_id == ctx.person.id:
        return await reporter_view(ctx, feedback)
    if feedback is not None and await followers_repo.is_follower(
            ctx.session, feedback_id=feedback.id or 0, person_id=ctx.person.id or 0):
        return await follower_view(ctx, feedback)
    return await feedback_actions.open_by_code(ctx, code, feedback)


async def _practice_lookup(ctx: Context, code: str) -> list[Reply] | None:
    if not code.startswith("MH-"):
        return None
    return await review.open_by_code(ctx, code)


_LOOKUPS = (_feedback_lookup, _practice_lookup)


async def _my_feedback(ctx: Context) -> list[Reply]:
    mine = await feedback_repo.list_for_reporter(ctx.session, person_id=id_of(ctx.person))
    followed = await followers_repo.followed_by(ctx.session, person_id=ctx.person.id or 0)
    if not mine and not followed:
        return [TextReply(ctx.t("tracking.none"))]
    lines = [ctx.t("tracking.mine", count=len(mine))] if mine else []
    lines += [_item(ctx, feedback) for feedback in mine]
    if followed:
        if mine:
            lines.append("")
        lines.append(ctx.t("follower.list", count=len(followed)))
        lines += [_item(ctx, feedback) for feedback in followed]
    options = [Option(f"🔎 {f.code}", f"fb_view:{f.id}") for f in [*mine, *followed]]
    return [TextReply("\n".join(lines), tuple(options), token=ctx.offer_actions(options))]


def _item(ctx: Context, feedback: Feedback) -> str:
    return ctx.t("tracking.mine_item", code=feedback.code,
                 status=ctx.t(f"status.feedback.{feedback.status}"),
                 text=render.excerpt(feedback.text, 60))


COMMANDS = [Command("status", aliases=("tracuu",), run=status, menu=True)]
