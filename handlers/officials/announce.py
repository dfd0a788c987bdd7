"""Announcements: an official writes to the followers of their jurisdiction (and, if they
choose, everyone who sent feedback or a practice there), previews it, confirms, and watches it
go out.

/guithongbao (/announce) asks for the text, a photo (optional), a link (optional) and the
audience, then shows the message exactly as recipients will see it, with the number of
recipients and "Gửi" / "Huỷ". Province and central officials confirm twice above
`SECOND_CONFIRMATION_ABOVE` recipients. It leaves through the outbox (one row per recipient,
paced like every notice, held through quiet hours); /thongbaodagui (/announcements) shows each
one's `sent / total` and failures, with a button that withdraws what has not left yet.

Every action re-checks on the server that the person is an official of the announcement's
jurisdiction (button payloads can be forged), and leaves an audit row.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers.clock import to_db
from handlers.commands import Action, Command
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.i18n import Translator
from handlers.numbers import grouped
from handlers.officials import audit
from handlers.officials.inbox import scope_label
from handlers.officials.jurisdiction import (
    OFFICIAL_COMMAND_ROLES,
    Refused,
    official_scope,
    parse_id,
    refuse,
)
from handlers.replies import Option, PhotoReply, Reply, TextReply, to_payload
from handlers.targeted import TargetedFlow, begin
from storage.models import Announcement, AnnouncementStatus, Level, OutboxStatus
from storage.repositories import announcements as repo
from storage.repositories import follows as follows_repo
from storage.repositories.officials import Scope

SECOND_CONFIRMATION_ABOVE = 10_000
OA_WINDOW = timedelta(days=7)
FOLLOWERS, EVERYONE = "followers", "everyone"

ANNOUNCE_FORM = Form("announce", (
    FieldSpec("text", Kind.TEXT, max_length=2000),
    FieldSpec("photo", Kind.PHOTOS, min_items=0, max_items=1),
    FieldSpec("link", Kind.TEXT, required=False, max_length=300),
    FieldSpec("audience", Kind.CHOICE, options=(FOLLOWERS, EVERYONE)),
))


def _scope_unit(scope: Scope) -> str | None:
    return None if scope.level == Level.CENTRAL else scope.unit_code


def _covers(scope: Scope, announcement: Announcement) -> bool:
    return scope.level == announcement.level and _scope_unit(scope) == announcement.unit_code


async def start(ctx: Context, args: str) -> list[Reply]:
    if official_scope(ctx) is None:
        return refuse(ctx, action="announce", reason="not_official").replies
    return await begin(ctx, "announce", 0)


async def _intro(ctx: Context, target: int) -> str:
    scope = official_scope(ctx)
    return ctx.t("announce.intro", scope=scope_label(ctx, scope) if scope else "")


def _message(t: Translator, announcement: Announcement, place: str) -> list[Reply]:
    """What a recipient sees: a photo if any, then the text, its link and who sends it."""
    text = "📢 " + t("announce.header", place=place) + "\n\n" + announcement.text
    if announcement.link:
        text += f"\n\n🔗 {announcement.link}"
    text += "\n\n" + t("announce.footer")
    replies: list[Reply] = []
    if announcement.photo_path:
        replies.append(PhotoReply(announcement.photo_path))
    return [*replies, TextReply(text)]


def _link(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.strip()
    return raw if raw.lower().startswith(("http://", "https://")) else "https://" + raw


async def _drafted(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    """The form is complete: keep a draft and show the preview, the count and the choice."""
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action="announce", reason="not_official").replies
    photos = answers.get("photo") or []
    draft = await repo.create(ctx.session, announcement=Announcement(
        author_id=ctx.person.id or 0, level=scope.level, unit_code=_scope_unit(scope),
        audience=answers["audience"], text=answers["text"],
        photo_path=photos[0]["path"] if photos else None, link=_link(answers.get("link")),
        created_at=to_db(ctx.now)))
    await audit.record(ctx, "announcement.draft", kind="announcement", record_id=draft.id,
                       unit_code=draft.unit_code, province_code=_province(ctx, draft))
    return await _preview(ctx, draft, scope)


async def _preview(ctx: Context, draft: Announcement, scope: Scope,
                   lead: str | None = None) -> list[Reply]:
    people = await repo.audience(ctx.session, scope=scope, everyone=draft.audience == EVERYONE,
                                 exclude=ctx.person.id)
    shown = _message(ctx.t, draft, scope_label(ctx, scope))
    text = ctx.t("announce.preview", count=grouped(len(people)))
    if lead:
        text = f"{lead}\n\n{text}"
    options = [Option(ctx.t("announce.send"), f"ann_send:{draft.id}:1"),
               Option(ctx.t("announce.drop"), f"ann_drop:{draft.id}")]
    if not people:
        text = ctx.t("announce.nobody")
        options = options[1:]
    return [TextReply(ctx.t("announce.preview_title")), *shown,
            TextReply(text, tuple(options), token=ctx.offer_actions(options))]


def _province(ctx: Context, announcement: Announcement) -> str | None:
    if announcement.unit_code is None:
        return None
    unit = ctx.units.get(announcement.unit_code)
    return unit.province_code if unit else None


async def _mine(ctx: Context, args: list[str], *, action: str,
                drafts: bool) -> tuple[Announcement, Scope] | Refused:
    """The announcement a button names, if this official's jurisdiction wrote it (a draft:
    only its author may send or drop it)."""
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action=action, reason="not_official", item="announcement")
    announcement_id = parse_id(args)
    found = await repo.get(ctx.session, announcement_id) if announcement_id else None
    if found is None or not _covers(scope, found):
        return refuse(ctx, action=action, reason="outside", item="announcement",
                      item_id=announcement_id)
    if drafts != (found.status == AnnouncementStatus.DRAFT) or (
            drafts and found.author_id != ctx.person.id):
        return Refused([TextReply("⚠️ " + ctx.t("announce.not_draft"))])
    return found, scope


async def send(ctx: Context, args: list[str]) -> list[Reply]:
    """``ann_send:<id>:<1|2>``: send; above the threshold, province and central confirm twice."""
    checked = await _mine(ctx, args, action="ann_send", drafts=True)
    if isinstance(checked, Refused):
        return checked.replies
    draft, scope = checked
    people = await repo.audience(ctx.session, scope=scope, everyone=draft.audience == EVERYONE,
                                 exclude=ctx.person.id)
    if not people:
        return [TextReply(ctx.t("announce.nobody"))]
    stage = args[1] if len(args) > 1 else "1"
    if (stage != "2" and len(people) > SECOND_CONFIRMATION_ABOVE
            and scope.level in (Level.PROVINCE, Level.CENTRAL)):
        options = [Option(ctx.t("announce.send_really", count=grouped(len(people))),
                          f"ann_send:{draft.id}:2"),
                   Option(ctx.t("announce.drop"), f"ann_drop:{draft.id}")]
        return [TextReply("⚠️ " + ctx.t("announce.confirm_again", count=grouped(len(people))),
                          tuple(options), token=ctx.offer_actions(options))]
    now = ctx.now
    languages = await repo.languages_of(ctx.session, person_ids=people)
    reachable = await follows_repo.reachable(ctx.session, person_ids=people,
                                             oa_seen_since=to_db(now - OA_WINDOW))
    place = scope_label(ctx, scope)
    payload = {}
    for language in set(languages.values()):
        t = Translator(language)
        payload[language] = to_payload(_message(t, draft, place))
    queued = await repo.enqueue(ctx.session, announcement=draft, payload=payload,
                                languages=languages, reachable=reachable, now=to_db(now),
                                not_before=to_db(now))
    draft.status, draft.recipients, draft.sent_at = (AnnouncementStatus.SENDING, len(languages),
                                                     to_db(now))
    ctx.session.add(draft)
    await audit.record(ctx, "announcement.send", kind="announcement", record_id=draft.id,
                       unit_code=draft.unit_code, province_code=_province(ctx, draft),
                       detail=f"recipients={len(languages)} queued={queued}")
    return await _progress_of(ctx, draft, lead="✅ " + ctx.t("announce.sent",
                                                            count=grouped(queued)))


async def drop(ctx: Context, args: list[str]) -> list[Reply]:
    checked = await _mine(ctx, args, action="ann_drop", drafts=True)
    if isinstance(checked, Refused):
        return checked.replies
    draft, _ = checked
    draft.status, draft.cancelled_at = AnnouncementStatus.CANCELLED, to_db(ctx.now)
    ctx.session.add(draft)
    await audit.record(ctx, "announcement.drop", kind="announcement", record_id=draft.id,
                       unit_code=draft.unit_code, province_code=_province(ctx, draft))
    return [TextReply(ctx.t("announce.dropped"))]


async def cancel(ctx: Context, args: list[str]) -> list[Reply]:
    """``ann_cancel:<id>``: withdraw what has not left yet."""
    checked = await _mine(ctx, args, action="ann_cancel", drafts=False)
    if isinstance(checked, Refused):
        return checked.replies
    announcement, _ = checked
    withdrawn = await repo.cancel(ctx.session, announcement=announcement, now=to_db(ctx.now))
    await audit.record(ctx, "announcement.cancel", kind="announcement",
                       record_id=announcement.id, unit_code=announcement.unit_code,
                       province_code=_province(ctx, announcement),
                       detail=f"withdrawn={withdrawn}")
    return await _progress_of(ctx, announcement, lead="⛔ " + ctx.t(
        "announce.cancelled", count=grouped(withdrawn)))


async def status_action(ctx: Context, args: list[str]) -> list[Reply]:
    checked = await _mine(ctx, args, action="ann_status", drafts=False)
    if isinstance(checked, Refused):
        return checked.replies
    return await _progress_of(ctx, checked[0])


async def list_sent(ctx: Context, args: str) -> list[Reply]:
    """/thongbaodagui: the jurisdiction's latest announcements and how far each has gone."""
    scope = official_scope(ctx)
    if scope is None:
        return refuse(ctx, action="announcements", reason="not_official").replies
    recent = await repo.recent_in_scope(ctx.session, scope=scope)
    if not recent:
        return [TextReply(ctx.t("announce.none"))]
    replies: list[Reply] = []
    for announcement in recent:
        replies += await _progress_of(ctx, announcement)
    return replies


async def _progress_of(ctx: Context, announcement: Announcement,
                       lead: str | None = None) -> list[Reply]:
    counts = await repo.progress(ctx.session, announcement_id=announcement.id or 0)
    sent = counts.get(OutboxStatus.SENT, 0)
    failed = sum(counts.get(s, 0) for s in (OutboxStatus.FAILED, OutboxStatus.UNCONFIRMED))
    waiting = sum(counts.get(s, 0) for s in repo.WITHDRAWABLE) + counts.get(
        OutboxStatus.SENDING, 0)
    skipped = counts.get(OutboxStatus.SKIPPED, 0)
    text = ctx.t("announce.progress", id=announcement.id, excerpt=announcement.text[:60],
                 sent=grouped(sent), total=grouped(announcement.recipients),
                 failed=grouped(failed), waiting=grouped(waiting), skipped=grouped(skipped))
    if announcement.status == AnnouncementStatus.CANCELLED:
        text += "\n" + ctx.t("announce.was_cancelled")
    if lead:
        text = f"{lead}\n\n{text}"
    options = [Option(ctx.t("announce.refresh"), f"ann_status:{announcement.id}")]
    if waiting and announcement.status == AnnouncementStatus.SENDING:
        options.append(Option(ctx.t("announce.cancel"), f"ann_cancel:{announcement.id}"))
    return [TextReply(text, tuple(options), token=ctx.offer_actions(options))]


def build_flows() -> list[TargetedFlow]:
    return [TargetedFlow("announce", ANNOUNCE_FORM, _drafted, intro=_intro, confirm=False)]


COMMANDS = [
    Command("announce", aliases=("guithongbao",), run=start, roles=OFFICIAL_COMMAND_ROLES),
    Command("announcements", aliases=("thongbaodagui",), run=list_sent,
            roles=OFFICIAL_COMMAND_ROLES),
]

ACTIONS = [
    Action("ann_send", send),
    Action("ann_drop", drop),
    Action("ann_cancel", cancel),
    Action("ann_status", status_action),
]
