"""/my (/cuatoi): the practices a person submitted, with their status, each opened in full
(what was sent, its history, and what its submitter can do now: `review.leader_view`)."""

from __future__ import annotations

from handlers.commands import Command
from handlers.context import Context
from handlers.officials import review
from handlers.replies import Option, Reply, TextReply
from storage.models import id_of
from storage.repositories import practices


async def list_mine(ctx: Context, args: str) -> list[Reply]:
    mine = await practices.list_for_submitter(ctx.session, person_id=id_of(ctx.person))
    if not mine:
        return [TextReply(ctx.t("my.none"))]
    if len(mine) == 1:  # nothing to choose from: the practice itself, in full
        return await review.leader_view(ctx, mine[0])
    lines = [ctx.t("my.title", count=len(mine))]
    for practice in mine:
        title = practice.title if len(practice.title) <= 80 else practice.title[:80] + "…"
        lines.append(ctx.t("my.item", code=practice.code, title=title,
                           status=ctx.t(f"status.practice.{practice.status}")))
    lines.append(ctx.t("my.open_one"))
    options = [Option(f"🔎 {p.code}", f"pr_view:{p.id}") for p in mine]
    return [TextReply("\n".join(lines), tuple(options), token=ctx.offer_actions(options))]


COMMANDS = [Command("my", aliases=("cuatoi",), run=list_mine, menu=True)]
