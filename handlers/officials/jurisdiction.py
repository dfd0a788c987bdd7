"""Who may act on what. Every official command and action loads its item through here, so a
forged button payload (another commune's item, a made-up id, a citizen pressing an official's
button) is refused with a clear message and logged, without personal data."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from handlers.context import Context
from handlers.replies import Reply, TextReply
from storage.models import Feedback, Practice
from storage.repositories import feedback as feedback_repo
from storage.repositories import reviews
from storage.repositories.officials import OFFICIAL_ROLES, Scope, scope_of

log = logging.getLogger("handlers.officials")

OFFICIAL_COMMAND_ROLES = tuple(str(role) for role in OFFICIAL_ROLES)


@dataclass(frozen=True)
class Refused:
    replies: list[Reply]


def official_scope(ctx: Context) -> Scope | None:
    return scope_of(ctx.person)


def refuse(ctx: Context, *, action: str, reason: str, item: str | None = None,
           item_id: int | None = None, message: str | None = None) -> Refused:
    """Say no, and log why (ids only: never a name, a phone number or a chat id)."""
    log.warning("official action refused", extra={
        "action": action[:40], "reason": reason, "person_id": ctx.person.id,
        "role": ctx.person.role, "item": item, "item_id": item_id,
        "channel": ctx.account.channel, "update_id": ctx.event.update_id})
    return Refused([TextReply("⛔ " + ctx.t(message or f"officials.refused.{reason}"))])


def parse_id(args: list[str], index: int = 0) -> int | None:
    if len(args) <= index or not args[index].isdigit() or len(args[index]) > 12:
        return None
    return int(args[index])


async def feedback_for_official(ctx: Context, args: list[str], *,
                                action: str) -> Feedback | Refused:
    """The feedback named by an action's payload, if this official may act on it."""
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action=action, reason="not_official", item="feedback")
    feedback_id = parse_id(args)
    if feedback_id is None:
        return refuse(ctx, action=action, reason="malformed", item="feedback")
    feedback = await feedback_repo.get(ctx.session, feedback_id)
    if feedback is None:
        return refuse(ctx, action=action, reason="not_found", item="feedback",
                      item_id=feedback_id, message="officials.refused.outside")
    if not scope.covers_feedback(feedback):
        return refuse(ctx, action=action, reason="outside", item="feedback", item_id=feedback_id)
    return feedback


async def practice_for_official(ctx: Context, args: list[str], *,
                                action: str) -> Practice | Refused:
    """The practice named by an action's payload, if this official may act on it."""
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action=action, reason="not_official", item="practice")
    practice_id = parse_id(args)
    if practice_id is None:
        return refuse(ctx, action=action, reason="malformed", item="practice")
    practice = await reviews.get_practice(ctx.session, practice_id)
    if practice is None:
        return refuse(ctx, action=action, reason="not_found", item="practice",
                      item_id=practice_id, message="officials.refused.outside")
    if not scope.covers_practice(practice):
        return refuse(ctx, action=action, reason="outside", item="practice", item_id=practice_id)
    return practice
