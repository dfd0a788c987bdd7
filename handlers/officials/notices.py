"""Notices to the other side: officials hear of new items and of senders' additions; senders
and leaders hear of every status change and answer. Each is written in its reader's language
and keyed what × recipient × occurrence, so it is queued once however often it is produced."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from handlers.abuse import flags as abuse_flags
from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import render
from handlers.replies import ACTION_TOKEN, Option, Reply, TextReply
from storage.models import Feedback, Person, Practice
from storage.repositories import officials as officials_repo
from storage.repositories import people

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
        t = Translator(official.language)
        text = render.feedback_notice(ctx, t, feedback, what, detail)
        if flags:
            text = "\n".join([*abuse_flags.lines(t, flags), text])
        options = (Option(t("officials.open"), f"fb_open:{feedback.id}"),)
        ctx.notify(official.id, f"fb:{feedback.id}:{what}:{occurrence}:to:{official.id}",
                   [TextReply(text, options, token=ACTION_TOKEN)])
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
        t = Translator(official.language)
        text = t(f"prnotice.{what}", code=practice.code, title=render.excerpt(practice.title, 120),
                 place=render.unit_label(ctx, practice.commune_code))
        options = (Option(t("officials.open"), f"pr_open:{practice.id}"),)
        ctx.notify(official.id, f"pr:{practice.id}:{what}:{occurrence}:to:{official.id}",
                   [TextReply(text, options, token=ACTION_TOKEN)])
    return len(responsible)


def _unassigned(item_code: str, unit_code: str) -> None:
    """No official at the commune, its province or the centre: the operator must invite one.
    The item waits in the database and is in the first such official's inbox."""
    log.warning("no official anywhere for this item; invite one (dvk invite)",
                extra={"item": item_code, "unit": unit_code})


async def to_person(ctx: Context, person_id: int, key: str, build: Build) -> None:
    """A notice for one person, built in their language (nothing when it is the actor)."""
    if person_id == ctx.person.id:
        return
    recipient: Person | None = await people.get_person(ctx.session, person_id)
    if recipient is None:
        return
    ctx.notify(person_id, key, build(Translator(recipient.language)))
