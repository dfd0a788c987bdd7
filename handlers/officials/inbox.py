"""/inbox (/hopthu): open feedback and practices awaiting review in the official's jurisdiction,
newest first, a page at a time, each with a button to open it."""

from __future__ import annotations

from datetime import datetime

from handlers.abuse import flags as abuse_flags
from handlers.clock import from_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.officials import render
from handlers.officials.jurisdiction import (
    OFFICIAL_COMMAND_ROLES,
    official_scope,
    parse_id,
    refuse,
)
from handlers.replies import Option, Reply, TextReply
from storage.models import Feedback, Level, Practice
from storage.repositories import feedback as feedback_repo
from storage.repositories import feedback_flags, reviews
from storage.repositories import levels as levels_repo
from storage.repositories.officials import Scope

PAGE_SIZE = 5
MAX_PAGES = 200


async def inbox(ctx: Context, args: str) -> list[Reply]:
    return await show_page(ctx, 1)


async def page_action(ctx: Context, args: list[str]) -> list[Reply]:
    number = parse_id(args)
    if number is None or not 1 <= number <= MAX_PAGES:
        return refuse(ctx, action="inbox", reason="malformed").replies
    return await show_page(ctx, number)


async def show_page(ctx: Context, number: int) -> list[Reply]:
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action="inbox", reason="not_official").replies
    open_feedback = await feedback_repo.count_open_in_scope(ctx.session, scope=scope)
    pending = await reviews.count_pending_in_scope(ctx.session, scope=scope)
    total = open_feedback + pending
    where = scope_label(ctx, scope)
    nominated_lines, nominated = await nominations_waiting(ctx, scope)
    if total == 0 and not nominated:
        return [TextReply(ctx.t("inbox.empty", scope=where))]
    if total == 0:
        return [TextReply("\n".join(nominated_lines), tuple(nominated),
                          token=ctx.offer_actions(nominated))]
    pages = -(-total // PAGE_SIZE)
    number = min(number, pages)
    wanted = number * PAGE_SIZE
    items: list[tuple[datetime, Feedback | Practice]] = [
        (from_db(f.created_at), f)
        for f in await feedback_repo.open_in_scope(ctx.session, scope=scope, limit=wanted)]
    items += [(from_db(p.updated_at), p)
              for p in await reviews.pending_in_scope(ctx.session, scope=scope, limit=wanted)]
    items.sort(key=lambda pair: pair[0], reverse=True)
    shown = [item for _, item in items[(number - 1) * PAGE_SIZE: wanted]]

    lines = [ctx.t("inbox.title", scope=where, feedback=open_feedback, practices=pending,
                   page=number, pages=pages), ""]
    options: list[Option] = []
    flags = await feedback_flags.of_many(
        ctx.session, [f.id for f in shown if isinstance(f, Feedback) and f.id is not None])
    for index, item in enumerate(shown, start=1):  # numbered as the buttons are
        if isinstance(item, Feedback):
            lines.append(render.feedback_line(ctx, ctx.t, item, index))
            lines += ["    " + line for line in abuse_flags.lines(ctx.t, flags.get(item.id or 0,
                                                                                      []))]
            options.append(Option(f"📣 {item.code}", f"fb_open:{item.id}"))
        else:
            lines.append(render.practice_line(ctx, ctx.t, item, index))
            options.append(Option(f"📝 {item.code}", f"pr_open:{item.id}"))
    if number == 1 and nominated:
        lines += ["", *nominated_lines]
        options += nominated
    if number > 1:
        options.append(Option(ctx.t("inbox.previous"), f"inbox:{number - 1}"))
    if number < pages:
        options.append(Option(ctx.t("inbox.next"), f"inbox:{number + 1}"))
    return [TextReply("\n".join(lines), tuple(options), token=ctx.offer_actions(options))]


async def nominations_waiting(ctx: Context, scope: Scope) -> tuple[list[str], list[Option]]:
    """Practices nominated to this province (or to the centre) and not yet decided."""
    count = await levels_repo.count_waiting_for(ctx.session, level=scope.level,
                                                unit_code=scope.unit_code)
    if not count:
        return [], []
    lines = [ctx.t("inbox.nominations", count=count)]
    options = []
    for nomination, practice in await levels_repo.waiting_for(
            ctx.session, level=scope.level, unit_code=scope.unit_code, limit=PAGE_SIZE):
        lines.append(ctx.t("inbox.nomination_line", code=practice.code,
                           title=render.excerpt(practice.title, 60),
                           place=render.unit_label(ctx, practice.commune_code),
                           why=render.excerpt(nomination.justification, 160)))
        options.append(Option(f"🏅 {practice.code}", f"pr_open:{practice.id}"))
    return lines, options


def scope_label(ctx: Context, scope: Scope) -> str:
    if scope.level == Level.CENTRAL:
        return ctx.t("level.everywhere")
    return render.unit_label(ctx, scope.unit_code)


COMMANDS = [Command("inbox", aliases=("hopthu",), run=inbox, menu=True,
                    roles=OFFICIAL_COMMAND_ROLES)]
ACTIONS = [Action("inbox", page_action)]
