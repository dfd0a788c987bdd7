"""Who may act on what. Every official command and action loads its item through here, so a
forged button payload (another commune's item, a made-up id, a citizen pressing an official's
button) is refused with a clear message and logged, without personal data.

Separation of duties lives here too: an official may open but not decide a practice they
submitted, nor act on feedback they sent. Identities linked with /lienket are one person
(storage/repositories/linking.py merges them), so comparing the author with the official's
person covers every app they use."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Context
from handlers.replies import Reply, TextReply
from storage.models import Feedback, Practice
from storage.repositories import feedback as feedback_repo
from storage.repositories import reviews
from storage.repositories.officials import OFFICIAL_ROLES, Scope, scope_of

T = TypeVar("T")

log = logging.getLogger("handlers.officials")

OFFICIAL_COMMAND_ROLES = tuple(str(role) for role in OFFICIAL_ROLES)

VIEWING_ACTIONS = frozenset({"pr_open", "fb_open", "pu_open", "nr_list"})
"""Actions that only show an item; every other action decides or answers something."""


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
    return await _item_for_official(ctx, args, action=action, item="feedback",
                                    load=feedback_repo.get, covers=Scope.covers_feedback,
                                    author=lambda f: f.reporter_id)


async def practice_for_official(ctx: Context, args: list[str], *,
                                action: str) -> Practice | Refused:
    """The practice named by an action's payload, if this official may act on it."""
    return await _item_for_official(ctx, args, action=action, item="practice",
                                    load=reviews.get_practice, covers=Scope.covers_practice,
                                    author=lambda p: p.submitter_id)


async def _item_for_official(ctx: Context, args: list[str], *, action: str, item: str,
                             load: Callable[[AsyncSession, int], Awaitable[T | None]],
                             covers: Callable[[Scope, T], bool],
                             author: Callable[[T], int | None]) -> T | Refused:
    """One check for every item an official acts on: an official, a well-formed id, an item
    that exists, inside their jurisdiction, and (unless only viewing it) not their own;
    anything else is refused (and logged)."""
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action=action, reason="not_official", item=item)
    item_id = parse_id(args)
    if item_id is None:
        return refuse(ctx, action=action, reason="malformed", item=item)
    found = await load(ctx.session, item_id)
    if found is None:
        return refuse(ctx, action=action, reason="not_found", item=item, item_id=item_id,
                      message="officials.refused.outside")
    if not covers(scope, found):
        return refuse(ctx, action=action, reason="outside", item=item, item_id=item_id)
    if action not in VIEWING_ACTIONS and author(found) == ctx.person.id:
        return refuse(ctx, action=action, reason="own_item", item=item, item_id=item_id,
                      message=f"officials.refused.own_{item}")
    return found
