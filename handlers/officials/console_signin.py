"""/dangnhap (/login): an official asks for a one-time link into the web console
(bot/web/console/). The link is random, works once, for ten minutes, and only its hash is stored;
the reply holding it is marked `secret`, so it is not kept with the update either. Anyone who is
not an official is told kindly that the console is for officials."""

from __future__ import annotations

import logging
import secrets

from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.officials import audit
from handlers.officials.desk import LINK_LIFETIME
from handlers.officials.jurisdiction import official_scope
from handlers.replies import Reply, TextReply
from storage.repositories import console_sessions

log = logging.getLogger(__name__)


async def sign_in_link(ctx: Context, args: str) -> list[Reply]:
    if official_scope(ctx) is None:
        log.info("console link refused: not an official", extra={
            "person_id": ctx.person.id, "channel": ctx.account.channel,
            "update_id": ctx.event.update_id})
        return [TextReply(ctx.t("console.signin.officials_only"))]
    token = secrets.token_urlsafe(32)
    await console_sessions.create_link(ctx.session, person_id=ctx.person.id or 0, token=token,
                                       now=to_db(ctx.now), lifetime=LINK_LIFETIME)
    await audit.record(ctx, "console.link", kind="person", record_id=ctx.person.id)
    url = f"{ctx.services.console_url}login/{token}"
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    return [TextReply(ctx.t("console.signin.link", url=url, minutes=minutes), secret=True)]


COMMANDS = [Command("login", aliases=("dangnhap",), run=sign_in_link)]
