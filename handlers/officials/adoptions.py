"""Officials look after a practice's "nhân rộng" declarations (handlers/replication.py): they are
published at once, so the officials responsible for the practice can hide a wrong or abusive
one (a collective that never adopted it, a made-up name) and show it again.

The practice's card offers the list (`nr_list`); each declaration has its button (`nr_hide`,
`nr_show`), numbered choices on text-only channels. Every press is checked on the server by
the officials' one policy (`practice_for_official`: role, jurisdiction, not their own
practice), audited, and logged with ids only. The declarer is told, politely and without the
official's identity, that their declaration was not published (or is again)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from handlers.clock import to_db
from handlers.commands import Action
from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import audit, notices, render
from handlers.officials.jurisdiction import Refused, parse_id, practice_for_official
from handlers.replies import Option, Reply, TextReply
from storage.models import Practice, PracticeReplication, id_of
from storage.repositories import practice_life

PAGE = 5
"""Declarations per page: one button each, so a phone's screen holds them."""

log = logging.getLogger(__name__)


async def card_options(ctx: Context, practice: Practice) -> list[Option]:
    """The card's button to the declarations, when there are any (hidden ones count)."""
    rows = await practice_life.replications_of(ctx.session, id_of(practice))
    if not rows:
        return []
    return [Option(ctx.t("adoptions.open", count=len(rows)), f"nr_list:{practice.id}")]


async def open_list(ctx: Context, args: list[str]) -> list[Reply]:
    """``nr_list:<practice id>[:<page>]``: the declarations as its officials review them."""
    practice = await practice_for_official(ctx, args, action="nr_list")
    if isinstance(practice, Refused):
        return practice.replies
    page = parse_id(args, 1) or 1
    return await listing(ctx, practice, page)


async def listing(ctx: Context, practice: Practice, page: int,
                  lead: str | None = None) -> list[Reply]:
    t = ctx.t
    rows = await practice_life.replications_of(ctx.session, id_of(practice))
    pages = max(1, -(-len(rows) // PAGE))
    page = min(max(page, 1), pages)
    hidden = sum(1 for row in rows if row.hidden_at is not None)
    lines = [t("adoptions.title", code=practice.code, shown=len(rows) - hidden, hidden=hidden)]
    options: list[Option] = []
    for number, row in enumerate(rows[(page - 1) * PAGE:page * PAGE], (page - 1) * PAGE + 1):
        state = " · " + t("adoptions.hidden_mark") if row.hidden_at is not None else ""
        lines.append(f"{number}. {row.collective_name} — "
                     f"{render.unit_label(ctx, row.commune_code)} "
                     f"({render.when(ctx, row.created_at)[:10]}){state}")
        verb = "show" if row.hidden_at is not None else "hide"
        options.append(Option(t(f"adoptions.{verb}", number=number,
                                name=render.excerpt(row.collective_name, 30)),
                              f"nr_{verb}:{row.id}"))
    if pages > 1:
        lines.append(t("adoptions.page", page=page, pages=pages))
    if page > 1:
        options.append(Option(t("adoptions.previous"), f"nr_list:{practice.id}:{page - 1}"))
    if page < pages:
        options.append(Option(t("adoptions.next"), f"nr_list:{practice.id}:{page + 1}"))
    options.append(Option(t("officials.open"), f"pr_open:{practice.id}"))
    text = "\n".join(lines)
    if lead:
        text = f"{lead}\n\n{text}"
    return [TextReply(text, tuple(options), token=ctx.offer_actions(options))]


async def _declaration_for_official(ctx: Context, args: list[str], action: str
                                    ) -> tuple[PracticeReplication, Practice] | list[Reply]:
    """The declaration and its practice, if this official may act on that practice; a made-up
    id is refused as a practice outside their jurisdiction would be."""
    wanted = parse_id(args)
    row = await practice_life.get_replication(ctx.session, wanted) if wanted else None
    practice = await practice_for_official(ctx, [str(row.practice_id if row else 0)],
                                           action=action)
    if isinstance(practice, Refused):
        return practice.replies
    assert row is not None
    return row, practice


def _decide(hidden: bool) -> Callable[[Context, list[str]], Awaitable[list[Reply]]]:
    verb = "hide" if hidden else "show"

    async def run(ctx: Context, args: list[str]) -> list[Reply]:
        found = await _declaration_for_official(ctx, args, f"nr_{verb}")
        if isinstance(found, list):
            return found
        row, practice = found
        rows = await practice_life.replications_of(ctx.session, id_of(practice))
        page = next((i for i, r in enumerate(rows) if r.id == row.id), 0) // PAGE + 1
        if (row.hidden_at is not None) == hidden:  # pressed twice, or by a colleague first
            return await listing(ctx, practice, page,
                                 lead="✅ " + ctx.t(f"adoptions.already.{verb}"))
        await practice_life.set_replication_hidden(ctx.session, row=row, hidden=hidden,
                                                   by=id_of(ctx.person), now=to_db(ctx.now))
        await audit.on_practice(ctx, f"practice.adoption_{verb}", practice,
                                detail=f"adoption:{row.id}")
        log.info("adoption declaration %s", "hidden" if hidden else "shown", extra={
            "action": f"nr_{verb}", "adoption_id": row.id, "practice_id": practice.id,
            "official_id": ctx.person.id, "channel": ctx.account.channel,
            "update_id": ctx.event.update_id})
        await _tell_declarer(ctx, practice, row, verb)
        return await listing(ctx, practice, page, lead="✅ " + ctx.t(f"adoptions.done.{verb}"))

    return run


async def _tell_declarer(ctx: Context, practice: Practice, row: PracticeReplication,
                         verb: str) -> None:
    """In the declarer's language, naming no official (the unit answers for it)."""
    if row.person_id is None:  # erased: the declaration stays, nobody to tell
        return

    def build(t: Translator) -> list[Reply]:
        return [TextReply(t(f"prnotice.adoption_{verb}", code=practice.code,
                            name=row.collective_name))]

    await notices.to_person(
        ctx, row.person_id,
        f"nr:{row.id}:{verb}:{to_db(ctx.now).isoformat()}:to:{row.person_id}", build)


hide = _decide(hidden=True)
show = _decide(hidden=False)

ACTIONS = [Action("nr_list", open_list), Action("nr_hide", hide), Action("nr_show", show)]
