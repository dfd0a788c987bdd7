"""/my (/cuatoi): the practices a person submitted, with their status."""

from __future__ import annotations

from handlers.commands import Command
from handlers.context import Context
from handlers.replies import Reply, TextReply
from storage.repositories import practices


async def list_mine(ctx: Context, args: str) -> list[Reply]:
    mine = await practices.list_for_submitter(ctx.session, person_id=ctx.person.id)
    if not mine:
        return [TextReply(ctx.t("my.none"))]
    lines = [ctx.t("my.title", count=len(mine))]
    for practice in mine:
        title = practice.title if len(practice.title) <= 80 else practice.title[:80] + "…"
        lines.append(ctx.t("my.item", code=practice.code, title=title,
                           status=ctx.t(f"status.practice.{practice.status}")))
    return [TextReply("\n".join(lines))]


COMMANDS = [Command("my", aliases=("cuatoi",), run=list_mine, menu=True)]
