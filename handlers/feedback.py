"""Send feedback (gửi phản ánh, kiến nghị).

The conversation, top to bottom: what it is about (a configurable list of categories), what
happened (typed, or a voice note with an optional one-line summary: handlers/voice.py), 0–5
photos, an optional map pin, the commune (the last one used is offered first), named or
anonymous, and for named feedback the sender's name where the channel gives none (the web chat;
Zalo OA until the person shares their info) and an optional phone number; whether it may be
published as open data without name or phone (Open311, bot/web/open311.py; no by default);
then a summary to check, similar open feedback to follow instead (handlers/duplicates.py), and
a receipt code to follow it with /tracuu. Diagram: `feedback.mmd`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from handlers import duplicates, fields, voice
from handlers.abuse import flags as abuse_flags
from handlers.abuse import muting
from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Event
from handlers.flow import CONFIRM, SUMMARY, FormFlow
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import notices
from handlers.replies import Reply, TextReply
from handlers.state import FeedbackDraft
from storage.models import Feedback, FeedbackStatus, id_of
from storage.repositories import feedback as feedback_repo

DEFAULT_CATEGORIES = (
    "infrastructure", "environment", "public_order", "administrative_procedures",
    "social_policy", "online_fraud", "other",
)
NAMED, ANONYMOUS = "named", "anonymous"
PUBLISH_NO, PUBLISH_YES = "no", "yes"
NAMED_BY_CHANNEL = "named_by_channel"
"""The fact the flow records when it starts: the channel gave the sender's name (Telegram, Zalo
Bot), so named feedback need not ask for it."""


def feedback_form(categories: Sequence[str] = DEFAULT_CATEGORIES) -> Form:
    return Form(
        "feedback",
        (
            FieldSpec("category", Kind.CHOICE, options=tuple(categories)),
            FieldSpec("text", Kind.TEXT, max_length=2000, voice=True),
            FieldSpec("photos", Kind.PHOTOS, min_items=0, max_items=5, personal=True),
            FieldSpec("location", Kind.LOCATION, required=False, personal=True),
            FieldSpec("commune", Kind.UNIT),
            FieldSpec("identity", Kind.CHOICE, options=(NAMED, ANONYMOUS), personal=True),
            FieldSpec("name", Kind.TEXT, max_length=100, when=("identity", NAMED),
                      unless=NAMED_BY_CHANNEL, personal=True),
            FieldSpec("phone", Kind.PHONE, required=False, when=("identity", NAMED),
                      personal=True),
            # Open data (Open311): the sender's own choice, "no" offered first and assumed.
            FieldSpec("publish", Kind.CHOICE, options=(PUBLISH_NO, PUBLISH_YES)),
        ),
        # Declining the privacy notice still lets a citizen report: anonymously, in words.
        without_personal_data={"photos": [], "location": None, "identity": ANONYMOUS},
    )


class FeedbackFlow(FormFlow):
    draft_model = FeedbackDraft

    async def start(self, ctx: Context) -> list[Reply]:
        if muting.muted_until(ctx) is not None:  # an official muted this sender for now
            return muting.refusal(ctx)
        limit = ctx.services.feedback_per_day
        sent = await feedback_repo.count_sent_since(
            ctx.session, reporter_id=ctx.person.id or 0, since=to_db(ctx.now - timedelta(days=1)))
        if sent >= limit:
            return [TextReply(ctx.t("feedback.daily_limit", limit=limit))]
        replies = await super().start(ctx)
        ctx.answers[NAMED_BY_CHANNEL] = bool(channel_name(ctx))
        last = await feedback_repo.last_commune_of(ctx.session, person_id=id_of(ctx.person))
        if last:
            ctx.draft.suggest = {"commune": last}
        return replies

    async def confirmed(self, ctx: Context) -> list[Reply]:
        """Before sending: is it a problem someone already reported and may be followed?"""
        matches = await duplicates.find(ctx, ctx.answers)
        if not matches:
            return await self.complete(ctx)
        return duplicates.offer(ctx, matches)

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        """A sender muted while writing keeps the draft: sending waits for the mute's end."""
        if ctx.conversation.step == duplicates.STEP:
            return await duplicates.on_answer(ctx, event, send=lambda: self._send_new(ctx),
                                              back=lambda lead: self._summary(ctx, lead))
        if (ctx.conversation.step == SUMMARY and muting.muted_until(ctx) is not None
                and fields.resolve_option(ctx, event) == CONFIRM):
            return self._summary(ctx, lead=muting.refusal_text(ctx))
        return await super().handle(ctx, event)

    async def _send_new(self, ctx: Context) -> list[Reply]:
        """"Không, gửi phản ánh mới": sent, unless the sender was muted meanwhile."""
        if muting.muted_until(ctx) is not None:
            return self._summary(ctx, lead=muting.refusal_text(ctx))
        return await self.complete(ctx)

    async def reask(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        if ctx.conversation.step == duplicates.STEP:
            return await duplicates.reask(ctx, lambda lead: self._summary(ctx, lead), lead)
        return await super().reask(ctx, lead)

    async def back(self, ctx: Context) -> list[Reply]:
        if ctx.conversation.step == duplicates.STEP:
            return self._summary(ctx, ctx.t("back.done"))
        return await super().back(ctx)


async def submit(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    """Store the confirmed feedback, tell the officials responsible, hand back the receipt."""
    commune = ctx.units.get(answers["commune"])
    assert commune is not None
    anonymous = answers["identity"] == ANONYMOUS
    location = answers.get("location") or {}
    now = to_db(ctx.now)
    feedback = Feedback(
        status=FeedbackStatus.NEW,
        category=answers["category"],
        text=answers["text"],
        reporter_id=id_of(ctx.person),
        anonymous=anonymous,
        reporter_name=None if anonymous else (answers.get("name") or channel_name(ctx) or None),
        reporter_phone=None if anonymous else answers.get("phone"),
        commune_code=commune.code,
        province_code=commune.province_code,
        assigned_unit_code=commune.code,
        assigned_province_code=commune.province_code,
        latitude=location.get("lat"),
        longitude=location.get("lon"),
        publish=answers.get("publish") == PUBLISH_YES,
        created_at=now,
        updated_at=now,
    )
    found = await abuse_flags.find(ctx, text=feedback.text, anonymous=anonymous)
    stored = await feedback_repo.create_feedback(
        ctx.session, feedback=feedback, photos=answers.get("photos") or [],
        voice=answers.get("text_voice"), year=ctx.local(ctx.now).year)
    await abuse_flags.store(ctx, stored, found)  # a warning for officials, never a drop
    note = answers.get("text_voice")
    detail = ctx.t("fbnotice.voice", length=voice.length(note["duration_seconds"])) \
        if note and not stored.text else None
    officials = await notices.feedback_to_officials(ctx, stored, "new", 0, detail=detail,
                                                    flags=found)
    key = "feedback.receipt_anonymous" if anonymous else "feedback.receipt"
    if not officials:  # promise nobody's answer: say it is recorded and waits for officials
        key += "_unassigned"
    return [TextReply(ctx.t(key, code=stored.code))]


def channel_name(ctx: Context) -> str:
    """The sender's name as their channel gives it; empty where it gives none."""
    return ctx.account.display_name or ctx.person.display_name or ""


def build_flow(categories: Sequence[str] = DEFAULT_CATEGORIES) -> FormFlow:
    return FeedbackFlow("feedback", feedback_form(categories), submit)


COMMANDS = [Command("feedback", aliases=("phananh",), flow="feedback", menu=True)]
