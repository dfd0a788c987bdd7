"""Becoming an official: a single-use invite, opened by the deep link `/start <token>` (Telegram)
or by typing the bare code as `/start <code>` or `/invite <code>` (Zalo and the web chat have no
deep-link payload). Nothing else anywhere changes a person's role."""

from __future__ import annotations

import logging

from handlers import router
from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.officials import audit, notices
from handlers.officials.render import unit_label
from handlers.replies import Reply, TextReply
from storage.models import Level, id_of
from storage.repositories import invites as invites_repo
from storage.repositories import officials as officials_repo
from storage.repositories import unassigned
from storage.repositories.officials import Scope

log = logging.getLogger("handlers.officials")

WAITING_HANDED_OVER = 200
"""At most this many waiting items of each kind are announced to their senders when an official
arrives (the official gets the oldest few as notices; every one is in the inbox)."""


async def accept(ctx: Context, code: str) -> list[Reply]:
    now = to_db(ctx.now)
    invite, problem = await invites_repo.check_token(ctx.session, token=code.strip(), now=now)
    if problem is not None or invite is None:
        log.warning("invite refused", extra={
            "reason": str(problem), "invite_id": invite.id if invite else None,
            "person_id": ctx.person.id, "channel": ctx.account.channel,
            "update_id": ctx.event.update_id})
        return [TextReply("⛔ " + ctx.t(f"invite.{problem}"))]
    invites_repo.mark_used(invite, person_id=id_of(ctx.person), now=now)
    ctx.rights_gained = True
    # Asked before the official is made: what waited with nobody anywhere on its path is what
    # this official is now the first to answer for.
    scope = Scope(invite.level, None if invite.level == Level.CENTRAL else invite.unit_code)
    waiting = await unassigned.waiting_in_scope(ctx.session, scope=scope,
                                                limit=WAITING_HANDED_OVER)
    await officials_repo.make_official(ctx.session, person=ctx.person, role=invite.role,
                                       level=invite.level, unit_code=invite.unit_code)
    province = None
    if invite.level != Level.CENTRAL and (unit := ctx.units.get(invite.unit_code or "")):
        province = unit.province_code
    await audit.record(ctx, "role.grant", kind="person", record_id=ctx.person.id,
                       unit_code=invite.unit_code, province_code=province,
                       detail=f"{invite.role} {invite.level} invite #{invite.id}")
    log.info("invite accepted", extra={"invite_id": invite.id, "person_id": ctx.person.id,
                                       "level": invite.level, "unit": invite.unit_code})
    where = ctx.t("level.everywhere") if invite.level == Level.CENTRAL else \
        unit_label(ctx, invite.unit_code)
    welcome = ctx.t("invite.welcome", level=ctx.t(f"level.{invite.level}"), unit=where)
    if waiting.feedback_total or waiting.practice_total:
        await notices.waiting_to_new_official(ctx, waiting)
        log.info("waiting items handed to a new official", extra={
            "person_id": ctx.person.id, "unit": invite.unit_code,
            "feedback": waiting.feedback_total, "practices": waiting.practice_total})
        welcome += "\n" + ctx.t("invite.waiting", feedback=waiting.feedback_total,
                                 practices=waiting.practice_total)
    return router.menu(ctx, lead=welcome)


async def from_deep_link(ctx: Context, payload: str) -> list[Reply] | None:
    if not payload.startswith(invites_repo.TOKEN_PREFIX):
        return None  # another feature's deep link
    return await accept(ctx, payload)


async def invite_command(ctx: Context, args: str) -> list[Reply]:
    if not args.strip():
        return [TextReply(ctx.t("invite.usage"))]
    return await accept(ctx, args)


COMMANDS = [Command("invite", aliases=("moi",), run=invite_command)]
DEEP_LINKS = [from_deep_link]
