"""Living practices: `/capnhat MH-…` (`/update`) adds a dated update (text, photos, a short
video) to an approved or recognised practice, so its page keeps telling what the practice
does months later.

Only its submitter (linked accounts are one person) or an official whose jurisdiction covers
it may add one. A submitter's update waits for an official's light check (publish or hide,
`pu_open`); an official's own update is published at once. Published updates make the
practice's public timeline; an official may hide one later. Every step checks on the server
who may do it: buttons can be old or forged.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from handlers.clock import to_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.i18n import Translator
from handlers.officials import audit, notices, render
from handlers.officials.jurisdiction import Refused, official_scope, practice_for_official
from handlers.replies import ACTION_TOKEN, Option, PhotoReply, Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import (
    PUBLIC_PRACTICE_STATUSES,
    Practice,
    PracticeUpdate,
    PracticeUpdateStatus,
)
from storage.repositories import officials as officials_repo
from storage.repositories import practice_life, practices, reviews

CODE = re.compile(r"MH-\d{4}-\d{1,12}")
S = PracticeUpdateStatus

UPDATE_FORM = Form("pr_update", (
    FieldSpec("text", Kind.TEXT, max_length=2000),
    FieldSpec("photos", Kind.PHOTOS, min_items=0, max_items=6, video=True),
))


async def may_update(ctx: Context, practice: Practice) -> bool:
    """Its submitter, or an official of its unit (or above)."""
    if practice.submitter_id == ctx.person.id:
        return True
    scope = official_scope(ctx)
    return scope is not None and scope.covers_practice(practice)


async def _refusal(ctx: Context, practice: Practice | None) -> list[Reply] | None:
    if practice is None or not await may_update(ctx, practice):
        return [TextReply("⛔ " + ctx.t("pr_update.not_yours"))]
    if practice.status not in PUBLIC_PRACTICE_STATUSES:
        return [TextReply("⚠️ " + ctx.t("pr_update.not_public", code=practice.code,
                                         status=ctx.t(f"status.practice.{practice.status}")))]
    return None


async def update_command(ctx: Context, args: str) -> list[Reply]:
    """`/capnhat MH-2026-000012`; without a code, the person's practices to pick from."""
    found = CODE.search(args.upper())
    assert ctx.person.id is not None  # a stored person
    if found is None:
        mine = [p for p in await practices.list_for_submitter(ctx.session,
                                                              person_id=ctx.person.id)
                if p.status in PUBLIC_PRACTICE_STATUSES]
        if not mine:
            return [TextReply(ctx.t("pr_update.usage"))]
        options = [Option(f"🗓 {p.code}", f"pu_new:{p.id}") for p in mine[:8]]
        return [TextReply(ctx.t("pr_update.pick"), tuple(options),
                          token=ctx.offer_actions(options))]
    practice = await practices.get_by_code(ctx.session, found.group(0))
    if (refused := await _refusal(ctx, practice)) is not None:
        return refused
    assert practice is not None and practice.id is not None
    return await begin(ctx, "pr_update", practice.id)


async def new_update(ctx: Context, args: list[str]) -> list[Reply]:
    """``pu_new:<practice id>``: the button under a practice."""
    practice = None
    if args and args[0].isdigit() and len(args[0]) <= 12:
        practice = await reviews.get_practice(ctx.session, int(args[0]))
    if (refused := await _refusal(ctx, practice)) is not None:
        return refused
    assert practice is not None and practice.id is not None
    return await begin(ctx, "pr_update", practice.id)


async def _intro(ctx: Context, target: int) -> str:
    practice = await reviews.get_practice(ctx.session, target)
    return ctx.t("pr_update.intro", code=practice.code if practice else "?",
                 title=render.excerpt(practice.title if practice else "", 120))


async def _sent(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    practice = await reviews.get_practice(ctx.session, target_of(ctx))
    if (refused := await _refusal(ctx, practice)) is not None:
        return refused
    assert practice is not None and practice.id is not None and ctx.person.id is not None
    scope = official_scope(ctx)
    by_official = (scope is not None and scope.covers_practice(practice)
                   and practice.submitter_id != ctx.person.id)
    update = await practice_life.add_update(
        ctx.session, practice_id=practice.id, author_id=ctx.person.id, text=answers["text"],
        photos=answers.get("photos") or [], video=answers.get("video"),
        status=S.PUBLISHED if by_official else S.PENDING, now=to_db(ctx.now))
    if by_official:
        await audit.on_practice(ctx, "practice.update_publish", practice, detail=str(update.id))
        return [TextReply("✅ " + ctx.t("pr_update.published", code=practice.code))]
    await _tell_officials(ctx, practice, update)
    return [TextReply(ctx.t("pr_update.sent", code=practice.code))]


async def _tell_officials(ctx: Context, practice: Practice, update: PracticeUpdate) -> None:
    responsible = await officials_repo.responsible_officials(
        ctx.session, unit_code=practice.commune_code, province_code=practice.province_code)
    for official in responsible:
        if official.id is None or official.id == ctx.person.id:
            continue
        t = Translator(official.language)
        text = t("prnotice.update", code=practice.code, title=render.excerpt(practice.title, 120),
                 place=render.unit_label(ctx, practice.commune_code))
        ctx.notify(official.id, f"pu:{update.id}:new:to:{official.id}",
                   [TextReply(text, (Option(t("officials.open"), f"pu_open:{update.id}"),),
                              token=ACTION_TOKEN)])


# -- the officials' light check -------------------------------------------------------------


async def _update_for_official(ctx: Context, args: list[str], action: str
                               ) -> tuple[PracticeUpdate, Practice] | list[Reply]:
    update = None
    if args and args[0].isdigit() and len(args[0]) <= 12:
        update = await practice_life.get_update(ctx.session, int(args[0]))
    practice = await practice_for_official(
        ctx, [str(update.practice_id if update else 0)], action=action)
    if isinstance(practice, Refused):
        return practice.replies
    assert update is not None
    return update, practice


async def open_update(ctx: Context, args: list[str], lead: str | None = None) -> list[Reply]:
    """``pu_open:<update id>``: the update as the public would see it, with its photos and
    its video's poster frame, and what the official may do with it."""
    found = await _update_for_official(ctx, args, "pu_open")
    if isinstance(found, list):
        return found
    update, practice = found
    photos, video = await practice_life.media_of_update(ctx.session, update.id or 0)
    replies: list[Reply] = [PhotoReply(photo.path, platform_file_id=photo.platform_file_id)
                            for photo in photos]
    if video is not None:
        seconds = video.duration_seconds
        replies.append(PhotoReply(video.poster_path, caption=ctx.t(
            "pr_update.video_poster", length=f"{seconds // 60}:{seconds % 60:02d}")))
    lines = [ctx.t("pr_update.card", code=practice.code, title=practice.title,
                   when=render.when(ctx, update.created_at),
                   status=ctx.t(f"status.update.{update.status}")),
             "", update.text]
    if lead:
        lines = [lead, "", *lines]
        replies = []  # after a decision: the text only, the media were shown already
    options = []
    if update.status != S.PUBLISHED:
        options.append(Option(ctx.t("pr_update.publish"), f"pu_ok:{update.id}"))
    if update.status != S.HIDDEN:
        options.append(Option(ctx.t("pr_update.hide"), f"pu_hide:{update.id}"))
    options.append(Option(ctx.t("officials.open"), f"pr_open:{practice.id}"))
    return [*replies, TextReply("\n".join(lines), tuple(options),
                                token=ctx.offer_actions(options))]


def _decide(status: str, action: str) -> Callable[[Context, list[str]],
                                               Awaitable[list[Reply]]]:
    async def run(ctx: Context, args: list[str]) -> list[Reply]:
        found = await _update_for_official(ctx, args, action)
        if isinstance(found, list):
            return found
        update, practice = found
        if update.status == status:
            return await open_update(ctx, args, lead="ℹ️ " + ctx.t(f"pr_update.already.{status}"))
        assert ctx.person.id is not None
        await practice_life.decide_update(ctx.session, update=update, status=status,
                                          by=ctx.person.id, now=to_db(ctx.now))
        await audit.on_practice(ctx, f"practice.update_{status}", practice,
                                detail=str(update.id))
        if update.author_id is not None:
            await _tell_author(ctx, practice, update)
        return await open_update(ctx, args, lead="✅ " + ctx.t(f"pr_update.done.{status}"))

    return run


async def _tell_author(ctx: Context, practice: Practice, update: PracticeUpdate) -> None:
    assert update.author_id is not None

    def build(t: Translator) -> list[Reply]:
        return [TextReply(t(f"prnotice.update_{update.status}", code=practice.code,
                            when=render.when(ctx, update.created_at)))]

    await notices.to_person(ctx, update.author_id,
                            f"pu:{update.id}:{update.status}:to:{update.author_id}", build)


def build_flow() -> TargetedFlow:
    return TargetedFlow("pr_update", UPDATE_FORM, _sent, intro=_intro)


COMMANDS = [Command("update", aliases=("capnhat",), run=update_command)]
ACTIONS = [Action("pu_new", new_update), Action("pu_open", open_update),
           Action("pu_ok", _decide(S.PUBLISHED, "pu_ok")),
           Action("pu_hide", _decide(S.HIDDEN, "pu_hide"))]
