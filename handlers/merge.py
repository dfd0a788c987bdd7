"""An official merges a duplicate into the feedback it repeats: the duplicate is closed as
merged (status MERGED, `merged_into_id`), its sender and followers follow the surviving one and
are told so, and are then told of its status changes like its own sender.

From the duplicate's card ("🔗 Gộp phản ánh trùng"): the open feedback of the official's
jurisdiction that look like the same problem (handlers/duplicates.py's search) are offered, or
any other is named with `/gop <duplicate> <survivor>`; a confirmation follows, and only then
is anything changed. Every step loads both feedback through
`jurisdiction.feedback_for_official` (a forged payload is refused and logged), and the merge is
audited on both records. Nobody learns who sent the other feedback or who follows it.
"""

from __future__ import annotations

from handlers import duplicates
from handlers.clock import to_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.i18n import Translator
from handlers.officials import audit, feedback_actions, notices
from handlers.officials.jurisdiction import (
    OFFICIAL_COMMAND_ROLES,
    Refused,
    feedback_for_official,
    official_scope,
)
from handlers.replies import ACTION_TOKEN, Option, Reply, TextReply
from handlers.tracking import normalise_code
from storage.models import Feedback, FeedbackEventKind, FeedbackStatus, is_open
from storage.repositories import feedback as feedback_repo
from storage.repositories import followers as followers_repo

OFFICIAL = "official"
SHOWN = 5


async def _open_pair(ctx: Context, args: list[str], action: str
                     ) -> tuple[Feedback, Feedback] | list[Reply]:
    """The duplicate and the survivor an action names, both open and this official's."""
    duplicate = await feedback_for_official(ctx, args[:1], action=action)
    if isinstance(duplicate, Refused):
        return duplicate.replies
    survivor = await feedback_for_official(ctx, args[1:2], action=action)
    if isinstance(survivor, Refused):
        return survivor.replies
    if duplicate.id == survivor.id:
        return await feedback_actions.card(ctx, duplicate, lead="⚠️ " + ctx.t("merge.same"))
    for item in (duplicate, survivor):
        if not is_open(item.status):
            return await feedback_actions.card(
                ctx, duplicate, lead="⚠️ " + ctx.t("merge.closed", code=item.code))
    return duplicate, survivor


async def choose(ctx: Context, args: list[str]) -> list[Reply]:
    """``fb_merge:<id>``: which feedback does this one repeat?"""
    duplicate = await feedback_for_official(ctx, args, action="fb_merge")
    if isinstance(duplicate, Refused):
        return duplicate.replies
    if not is_open(duplicate.status):
        return await feedback_actions.card(ctx, duplicate, lead="⚠️ " + ctx.t("fbact.closed"))
    scope = official_scope(ctx)
    assert scope is not None  # feedback_for_official checked it
    found = await duplicates.similar_open(
        ctx, category=duplicate.category, commune_code=duplicate.commune_code,
        text=duplicate.text, location=_pin(duplicate), person_id=0)
    matches = [m for m in found if m.feedback.id != duplicate.id
               and scope.covers_feedback(m.feedback)][:SHOWN]
    back = Option(ctx.t("fbact.back_to_card"), f"fb_open:{duplicate.id}")
    if not matches:
        return await feedback_actions.card(ctx, duplicate, lead="ℹ️ " + ctx.t(
            "merge.none", code=duplicate.code))
    lines = [ctx.t("merge.choose", code=duplicate.code)]
    lines += [duplicates.line(ctx, match) for match in matches]
    options = [Option(ctx.t("merge.into", code=m.feedback.code),
                      f"fb_merge_into:{duplicate.id}:{m.feedback.id}") for m in matches]
    options.append(back)
    return [TextReply("\n".join(lines), tuple(options), token=ctx.offer_actions(options))]


def _pin(feedback: Feedback) -> dict[str, float] | None:
    if feedback.latitude is None or feedback.longitude is None:
        return None
    return {"lat": feedback.latitude, "lon": feedback.longitude}


async def confirm(ctx: Context, args: list[str]) -> list[Reply]:
    """``fb_merge_into:<duplicate>:<survivor>``: say what a merge does, and ask."""
    pair = await _open_pair(ctx, args, "fb_merge_into")
    if isinstance(pair, list):
        return pair
    duplicate, survivor = pair
    affected = await followers_repo.people_affected(ctx.session, duplicate.id or 0)
    text = ctx.t("merge.confirm", duplicate=duplicate.code, survivor=survivor.code,
                 count=affected)
    options = [Option(ctx.t("merge.do"), f"fb_merge_do:{duplicate.id}:{survivor.id}"),
               Option(ctx.t("fbact.back_to_card"), f"fb_open:{duplicate.id}")]
    return [TextReply(text, tuple(options), token=ctx.offer_actions(options))]


async def merge(ctx: Context, args: list[str]) -> list[Reply]:
    """``fb_merge_do:<duplicate>:<survivor>``: close the duplicate into the survivor."""
    pair = await _open_pair(ctx, args, "fb_merge_do")
    if isinstance(pair, list):
        return pair
    duplicate, survivor = pair
    now = to_db(ctx.now)
    event = await feedback_repo.add_event(
        ctx.session, feedback=duplicate, kind=FeedbackEventKind.MERGED, actor_id=ctx.person.id,
        actor_role=OFFICIAL, now=now, from_status=duplicate.status,
        to_status=FeedbackStatus.MERGED, text=survivor.code)
    duplicate.status, duplicate.merged_into_id, duplicate.closed_at = (
        FeedbackStatus.MERGED, survivor.id, now)
    await feedback_repo.add_event(
        ctx.session, feedback=survivor, kind=FeedbackEventKind.MERGED_IN,
        actor_id=ctx.person.id, actor_role=OFFICIAL, now=now, text=duplicate.code)
    await followers_repo.move_to_survivor(ctx.session, duplicate=duplicate, survivor=survivor,
                                          now=now)
    await audit.on_feedback(ctx, "feedback.merge", duplicate, detail=f"into {survivor.code}")
    await audit.on_feedback(ctx, "feedback.merge", survivor, detail=f"from {duplicate.code}")
    await _tell_duplicates_people(ctx, duplicate, survivor, event.id or 0)
    return await feedback_actions.card(ctx, survivor, lead="✅ " + ctx.t(
        "merge.done", duplicate=duplicate.code, survivor=survivor.code))


async def _tell_duplicates_people(ctx: Context, duplicate: Feedback, survivor: Feedback,
                                  event_id: int) -> None:
    """The duplicate's sender and followers: where their problem is followed from now on."""

    def build(t: Translator) -> list[Reply]:
        options = (Option(t("merge.view_survivor", code=survivor.code),
                          f"fb_view:{survivor.id}"),)
        return [TextReply(t("merge.notice", duplicate=duplicate.code, survivor=survivor.code),
                          options, token=ACTION_TOKEN)]

    people = [duplicate.reporter_id,
              *await followers_repo.follower_ids(ctx.session, duplicate.id or 0)]
    for person_id in dict.fromkeys(people):
        await notices.to_person(ctx, person_id,
                                f"fb:{duplicate.id}:ev:{event_id}:to:{person_id}", build)


async def merge_command(ctx: Context, args: str) -> list[Reply]:
    """``/gop <duplicate> <survivor>`` (``/merge``): by codes, for a survivor the search did
    not offer (another category, no pin); then the same confirmation and checks as the card."""
    codes = [normalise_code(part) for part in args.split()]
    if len(codes) != 2 or None in codes:
        return [TextReply("⚠️ " + ctx.t("merge.usage"))]
    ids = []
    for code in codes:
        found = await feedback_repo.get_by_code(ctx.session, code or "")
        ids.append(str(found.id) if found else "0")  # 0: refused as not found, and logged
    return await confirm(ctx, ids)


COMMANDS = [Command("merge", aliases=("gop",), run=merge_command, roles=OFFICIAL_COMMAND_ROLES)]

ACTIONS = [
    Action("fb_merge", choose),
    Action("fb_merge_into", confirm),
    Action("fb_merge_do", merge),
]
