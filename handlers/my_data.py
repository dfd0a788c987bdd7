"""A person's rights over their data: /dulieucuatoi (/mydata) hands them everything stored about
them, as a JSON file and a readable summary; /xoadulieu (/deletemydata) erases it after a
clear confirmation, in the turn's one transaction (storage/repositories/personal_data.py).

Officials are erased only once their role is removed (the operator's `dvk officials remove`);
`dvk person erase <id>` does the same for a request received on paper (bot/person_cli.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from handlers import consent, fields
from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Event
from handlers.flow import reset_state
from handlers.officials import audit
from handlers.replies import DocumentReply, Option, Reply, TextReply
from handlers.state import ConversationState
from storage.repositories import personal_data

log = logging.getLogger(__name__)

EXPORTS = "exports"
ERASE, KEEP = "erase", "keep"


def export_prefix(person_id: int) -> str:
    return f"{EXPORTS}/{person_id}/"


async def my_data(ctx: Context, args: str) -> list[Reply]:
    exported = await personal_data.export_person(ctx.session, ctx.person.id or 0)
    assert exported is not None
    exported["exported_at"] = ctx.now.isoformat()
    key = f"{export_prefix(ctx.person.id or 0)}{uuid.uuid4().hex}.json"
    body = json.dumps(exported, ensure_ascii=False, indent=2).encode()
    await asyncio.to_thread(ctx.services.media.objects.put, key, body)
    summary = _summary(ctx, exported)
    return [TextReply(summary),
            DocumentReply(key, "dulieucuatoi.json", ctx.t("mydata.file_caption"))]


def _summary(ctx: Context, data: dict[str, Any]) -> str:
    t = ctx.t
    accounts = ", ".join(
        f"{a['channel']}" + (f" @{a['username']}" if a.get("username") else "")
        for a in data["accounts"]) or "—"
    consents = data["consents"]
    latest = consents[-1] if consents else None
    consent_line = t("mydata.consent", decision=t(f"mydata.decision.{latest['decision']}"),
                     version=latest["version"], when=latest["at"][:10]) if latest \
        else t("mydata.no_consent")
    codes = [f["code"] for f in data["feedback"]] + [p["code"] for p in data["practices"]]
    lines = [t("mydata.title"),
             t("mydata.name", name=data["person"]["display_name"] or "—"),
             t("mydata.accounts", accounts=accounts),
             t("mydata.counts", feedback=len(data["feedback"]),
               practices=len(data["practices"]), votes=len(data["votes"])),
             consent_line]
    if codes:
        lines.append(t("mydata.codes", codes=", ".join(c for c in codes if c)))
    if data["following"]:
        lines.append(t("mydata.following", codes=", ".join(
            row["feedback_code"] for row in data["following"] if row["feedback_code"])))
    if follows := data.get("follows"):
        lines.append(t("mydata.follows", units=", ".join(
            unit.label if (unit := ctx.units.get(f["unit_code"])) else f["unit_code"]
            for f in follows)))
    voices = [v for f in data["feedback"] for v in f.get("voice_notes", [])]
    voices += [p["answers"]["description_voice"] for p in data["practices"]
               if isinstance((p.get("answers") or {}).get("description_voice"), dict)]
    if voices:
        lines.append(t("mydata.voice_notes", count=len(voices),
                       seconds=sum(v["duration_seconds"] for v in voices)))
    lines.append(t("mydata.rights"))
    return "\n".join(lines)


class EraseFlow:
    """One question: erase for good, or keep. A flow of its own, so a form in progress is
    never cut in the middle (starting this one waits until it is finished or cancelled)."""

    name = "erase"

    async def start(self, ctx: Context) -> list[Reply]:
        reset_state(ctx, flow=self.name)
        return self._ask(ctx)

    def _ask(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        ctx.conversation.step = "confirm"
        options = (Option(ctx.t("erase.confirm"), ERASE), Option(ctx.t("erase.keep"), KEEP))
        token = ctx.issue_token(options, free_input=False)
        text = ctx.t("erase.ask")
        return [TextReply(f"{lead}\n\n{text}" if lead else text, options, token=token)]

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        picked = fields.resolve_option(ctx, event)
        if picked == KEEP:
            reset_state(ctx, flow=None)
            return [TextReply(ctx.t("erase.kept"))]
        if picked != ERASE:
            return self._ask(ctx, lead="⚠️ " + ctx.t("error.pick_option"))
        return await erase_me(ctx)

    async def reask(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        return self._ask(ctx, lead)

    async def back(self, ctx: Context) -> list[Reply]:
        return self._ask(ctx, lead=ctx.t("back.at_start"))

    def has_progress(self, ctx: Context) -> bool:
        return False


async def erase_me(ctx: Context) -> list[Reply]:
    person_id = ctx.person.id or 0
    try:
        erasure = await personal_data.erase_person(
            ctx.session, person_id=person_id, channel=ctx.account.channel,
            now=to_db(ctx.now), version=consent.current_version())
    except personal_data.StillOfficial:
        reset_state(ctx, flow=None)
        return [TextReply("⛔ " + ctx.t("erase.official"))]
    assert erasure is not None
    # The row was emptied with the rest; this turn's copy is stored last: empty it too.
    ctx.state = ConversationState()
    ctx.conversation.flow = ctx.conversation.step = ctx.conversation.started_at = None
    await audit.record(ctx, "person.erase", kind="person", record_id=person_id,
                       detail=_counts(erasure))
    await delete_files(ctx.services.media, erasure, person_id)
    log.info("person erased on request", extra={"person_id": person_id,
                                               "channel": ctx.account.channel,
                                               "update_id": ctx.event.update_id})
    return [TextReply("✅ " + ctx.t("erase.done"))]


def _counts(erasure: personal_data.Erasure) -> str:
    return (f"accounts {erasure.accounts}, feedback {erasure.feedback}, practices "
            f"{erasure.practices}, photos {erasure.photos}, voice notes {erasure.voice_notes}, "
            f"messages {erasure.messages}, followed {erasure.followed}")


async def delete_files(media: Any, erasure: personal_data.Erasure, person_id: int) -> None:
    """The sender's photos and voice notes no row refers to any more, and earlier exports of
    their data."""
    def run() -> None:
        keys = list(erasure.media_keys)
        keys += [item.key for item in media.objects.list(export_prefix(person_id))]
        for key in keys:
            media.objects.delete(key)

    await asyncio.to_thread(run)


def build_flow() -> EraseFlow:
    return EraseFlow()


COMMANDS = [
    Command("mydata", aliases=("dulieucuatoi",), run=my_data),
    Command("deletemydata", aliases=("xoadulieu",), flow="erase"),
]
