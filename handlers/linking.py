"""One person across channels: link accounts with a one-time code; choose where notices go.

`/link` (`/lienket`) shows a code; sending `/link <code>` from another app (Zalo, Telegram, the
web chat) makes both accounts one person: one tracking code works everywhere, practices,
feedback and votes are shared, and an official keeps their role and jurisdiction (the higher
role wins). `/notify` (`/thongbao`) chooses the channel for notifications and reminders.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from handlers.clock import from_db, to_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.i18n import Translator
from handlers.options import match_option
from handlers.replies import Option, Reply, TextReply
from storage.models import Channel, ChannelAccount, id_of
from storage.repositories import linking, people

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=15)
MAX_FAILURES = 5  # wrong codes per account per FAILURE_WINDOW
FAILURE_WINDOW = timedelta(hours=1)
PUSH_CHANNELS = (Channel.TELEGRAM, Channel.ZALO_BOT, Channel.ZALO_OA)
"""Channels the bot can write to first; the web chat only answers."""
AUTO = "auto"


# -- /link -------------------------------------------------------------------------------------


async def link_command(ctx: Context, args: str) -> list[Reply]:
    if args.strip():
        return await redeem(ctx, args)
    code = await linking.issue_code(ctx.session, person_id=id_of(ctx.person),
                                    channel=ctx.account.channel, now=to_db(ctx.now), ttl=CODE_TTL)
    ctx.rights_gained = True  # whoever redeems the code joins the person this chat now is
    accounts = await linking.accounts_of(ctx.session, person_id=id_of(ctx.person))
    text = ctx.t("link.code", code=linking.shown(code),
                 minutes=int(CODE_TTL.total_seconds() // 60))
    return [TextReply(f"{text}\n\n{_linked(ctx.t, accounts)}")]


async def redeem(ctx: Context, typed: str) -> list[Reply]:
    """Join this account to the person who asked for the code (practices, feedback and roles
    follow)."""
    if _failures(ctx) >= MAX_FAILURES:
        return _refused(ctx, "too_many")
    found = await linking.find_code(ctx.session, text=typed, now=to_db(ctx.now))
    if isinstance(found, linking.LinkProblem):
        _count_failure(ctx)
        return _refused(ctx, found)
    keep = await people.get_person(ctx.session, found.person_id)
    assert keep is not None  # a code goes when its person goes (merge moves it)
    drop = ctx.person
    problem = linking.merge_problem(keep, drop)
    if problem is not None:
        return _refused(ctx, problem)
    linking.mark_used(found, account_id=id_of(ctx.account), now=to_db(ctx.now))
    await linking.merge_people(ctx.session, keep=keep, drop=drop)
    ctx.account.person_id = id_of(keep)
    ctx.rights_gained = True
    ctx.person = keep
    ctx.t = ctx.t.in_language(keep.language)
    log.info("accounts linked", extra={"person_id": keep.id, "merged_person_id": drop.id,
                                       "channel": ctx.account.channel,
                                       "update_id": ctx.event.update_id})
    accounts = await linking.accounts_of(ctx.session, person_id=id_of(keep))
    return [TextReply(ctx.t("link.done") + "\n\n" + _linked(ctx.t, accounts))]


def _refused(ctx: Context, problem: str) -> list[Reply]:
    log.warning("link refused", extra={"reason": str(problem), "person_id": ctx.person.id,
                                       "channel": ctx.account.channel,
                                       "update_id": ctx.event.update_id})
    return [TextReply("⛔ " + ctx.t(f"link.{problem}"))]


def _failures(ctx: Context) -> int:
    recent = [at for at in ctx.state.link_failures
              if ctx.now - from_db(datetime.fromisoformat(at)) < FAILURE_WINDOW]
    ctx.state.link_failures = recent
    return len(recent)


def _count_failure(ctx: Context) -> None:
    ctx.state.link_failures.append(ctx.now.isoformat())


def _linked(t: Translator, accounts: Sequence[ChannelAccount]) -> str:
    channels = sorted({t(f"channel.{a.channel}") for a in accounts})
    return t("link.linked", channels=", ".join(channels))


# -- /notify -----------------------------------------------------------------------------------


async def notify_command(ctx: Context, args: str) -> list[Reply]:
    choices = await _choices(ctx)
    if args.strip():
        picked = match_option(args, [(value, label) for value, label in choices.items()],
                              loose=True)
        return await _choose(ctx, picked or "")
    current = ctx.person.notify_channel
    shown = ctx.t(f"channel.{current}") if current else ctx.t("notify.auto")
    options = [Option(label, f"notify:{value}") for value, label in choices.items()]
    text = ctx.t("notify.ask", current=shown)
    return [TextReply(text, tuple(options), token=ctx.offer_actions(options))]


async def notify_action(ctx: Context, args: list[str]) -> list[Reply]:
    return await _choose(ctx, args[0] if args else "")


async def _choices(ctx: Context) -> dict[str, str]:
    """"auto" and each channel this person has an active account on that can take notices."""
    accounts = await linking.accounts_of(ctx.session, person_id=id_of(ctx.person))
    channels = sorted({a.channel for a in accounts if a.active and a.channel in PUSH_CHANNELS})
    return {AUTO: ctx.t("notify.auto")} | {c: ctx.t(f"channel.{c}") for c in channels}


async def _choose(ctx: Context, value: str) -> list[Reply]:
    choices = await _choices(ctx)
    if value not in choices:  # a forged payload, or a channel not linked yet
        return [TextReply("⚠️ " + ctx.t("notify.unavailable"))]
    ctx.person.notify_channel = None if value == AUTO else value
    ctx.session.add(ctx.person)
    return [TextReply("✅ " + ctx.t("notify.set", channel=choices[value]))]


COMMANDS = [
    Command("link", aliases=("lienket",), run=link_command),
    Command("notify", aliases=("thongbao",), run=notify_command),
]
ACTIONS = [Action("notify", notify_action)]
