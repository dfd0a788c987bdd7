"""Notices to the other side: officials hear of new items and of senders' additions; senders
and leaders hear of every status change and answer. Each is written in its reader's language
and keyed what × recipient × occurrence, so it is queued once however often it is produced."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.abuse import flags as abuse_flags
from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import render
from handlers.replies import ACTION_TOKEN, Option, Reply, TextReply, in_language, to_payload
from storage.models import Feedback, Person, Practice, id_of
from storage.repositories import feedback_flags, outbox, people
from storage.repositories import officials as officials_repo
from storage.repositories.unassigned import WaitingItems
from storage.units import UnitDirectory

Build = Callable[[Translator], list[Reply]]
log = logging.getLogger(__name__)


async def feedback_to_officials(ctx: Context, feedback: Feedback, what: str,
                                occurrence: int | str, detail: str | None = None,
                                flags: Sequence[tuple[str, str | None]] = ()) -> int:
    """Tell the officials who answer for it; how many there are (0: nobody yet, anywhere).
    `flags`: warnings found on a new feedback (handlers/abuse/flags.py), shown first."""
    responsible = await officials_repo.responsible_officials(
        ctx.session, unit_code=feedback.assigned_unit_code,
        province_code=feedback.assigned_province_code)
    if not responsible:
        _unassigned(feedback.code, feedback.assigned_unit_code)
    for official in responsible:
        if official.id == ctx.person.id:
            continue
        ctx.notify(id_of(official), f"fb:{feedback.id}:{what}:{occurrence}:to:{official.id}",
                   [_feedback_notice(ctx, Translator(official.language), feedback, what,
                                     detail, flags)])
    return len(responsible)


async def practice_to_officials(ctx: Context, practice: Practice, what: str,
                                occurrence: int | str) -> int:
    """Tell the officials who review it; how many there are (0: nobody yet, anywhere)."""
    responsible = await officials_repo.responsible_officials(
        ctx.session, unit_code=practice.commune_code, province_code=practice.province_code)
    if not responsible:
        _unassigned(practice.code, practice.commune_code)
    for official in responsible:
        if official.id == ctx.person.id:
            continue
        ctx.notify(id_of(official), f"pr:{practice.id}:{what}:{occurrence}:to:{official.id}",
                   [_practice_notice(ctx, Translator(official.language), practice, what)])
    return len(responsible)


def _feedback_notice(ctx: Context, t: Translator, feedback: Feedback, what: str,
                     detail: str | None = None,
                     flags: Sequence[tuple[str, str | None]] = ()) -> TextReply:
    """A feedback as an official's notice, its warnings first, with the button to open it."""
    text = render.feedback_notice(ctx, t, feedback, what, detail)
    if flags:
        text = "\n".join([*abuse_flags.lines(t, flags), text])
    return _with_open_button(t, text, feedback)


def _with_open_button(t: Translator, text: str, feedback: Feedback) -> TextReply:
    return TextReply(text, (Option(t("officials.open"), f"fb_open:{feedback.id}"),),
                     token=ACTION_TOKEN)


async def queue_new_feedback_without_chat(session: AsyncSession, units: UnitDirectory,
                                          feedback: Feedback, now: datetime) -> int:
    """What `feedback_to_officials(ctx, feedback, "new", 0)` queues, for a feedback no chat
    filed (a partner application's Open311 POST): the same notice, button and key, straight
    into the outbox within the caller's transaction. How many officials it reached."""
    responsible = await officials_repo.responsible_officials(
        session, unit_code=feedback.assigned_unit_code,
        province_code=feedback.assigned_province_code)
    if not responsible:
        _unassigned(feedback.code or "", feedback.assigned_unit_code)
    unit = units.get(feedback.commune_code)
    for official in responsible:
        t = Translator(official.language)
        text = render.feedback_notice_text(t, feedback, "new",
                                           unit.label if unit else feedback.commune_code)
        await outbox.enqueue(
            session, key=f"fb:{feedback.id}:new:0:to:{official.id}", person_id=official.id or 0,
            payload=to_payload(in_language([_with_open_button(t, text, feedback)],
                                           t.language)), now=now)
    if responsible:
        await outbox.announce(session)
    return len(responsible)


def _practice_notice(ctx: Context, t: Translator, practice: Practice, what: str) -> TextReply:
    text = t(f"prnotice.{what}", code=practice.code, title=render.excerpt(practice.title, 120),
             place=render.unit_label(ctx, practice.commune_code))
    return TextReply(text, (Option(t("officials.open"), f"pr_open:{practice.id}"),),
                     token=ACTION_TOKEN)


def _unassigned(item_code: str | None, unit_code: str | None) -> None:
    """No official at the commune, its province or the centre: the operator must invite one.
    The item waits in the database and is in the first such official's inbox."""
    log.warning("no official anywhere for this item; invite one (dvk invite)",
                extra={"item": item_code, "unit": unit_code})


NOTICES_PER_KIND = 10
"""Of what waited for a new official, the oldest this many of each kind come as notices; the
welcome says how many there are in all, and the inbox has every one."""


async def waiting_to_new_official(ctx: Context, waiting: WaitingItems) -> None:
    """Items that waited with no official anywhere reach the first official there: the notice
    each would have brought when it came in (the same key, so never twice), and its sender
    hears that an official now has it, as the honest receipt promised."""
    official, t = ctx.person, ctx.t

    def unit_for(tr: Translator) -> str:
        return render.unit_label(ctx, official.unit_code) if official.unit_code else \
            tr("level.everywhere")

    announced = waiting.feedback[:NOTICES_PER_KIND]
    flags = await feedback_flags.of_many(ctx.session, [f.id for f in announced if f.id])
    for feedback in announced:
        pairs = [(flag.kind, flag.detail) for flag in flags.get(feedback.id or 0, [])]
        ctx.notify(id_of(official), f"fb:{feedback.id}:new:0:to:{official.id}",
                   [_feedback_notice(ctx, t, feedback, "new", flags=pairs)])
    for practice in waiting.practices[:NOTICES_PER_KIND]:
        ctx.notify(id_of(official), f"pr:{practice.id}:new:0:to:{official.id}",
                   [_practice_notice(ctx, t, practice, "new")])
    for feedback in waiting.feedback:
        await to_person(ctx, feedback.reporter_id,
                        f"fb:{feedback.id}:assigned:to:{feedback.reporter_id}",
                        partial(_feedback_assigned, feedback, unit_for))
    for practice in waiting.practices:
        await to_person(ctx, practice.submitter_id,
                        f"pr:{practice.id}:assigned:to:{practice.submitter_id}",
                        partial(_practice_assigned, practice, unit_for))


def _feedback_assigned(feedback: Feedback, unit_for: Callable[[Translator], str],
                       tr: Translator) -> list[Reply]:
    return [TextReply(tr("fbnotice.assigned", code=feedback.code, unit=unit_for(tr)))]


def _practice_assigned(practice: Practice, unit_for: Callable[[Translator], str],
                       tr: Translator) -> list[Reply]:
    return [TextReply(tr("prnotice.assigned", code=practice.code, unit=unit_for(tr),
                         title=render.excerpt(practice.title, 120)))]


async def to_person(ctx: Context, person_id: int, key: str, build: Build) -> None:
    """A notice for one person, built in their language (nothing when it is the actor)."""
    if person_id == ctx.person.id:
        return
    recipient: Person | None = await people.get_person(ctx.session, person_id)
    if recipient is None:
        return
    ctx.notify(person_id, key, build(Translator(recipient.language)))
