"""Ask a leader for changes: the official ticks the fields that need work (buttons toggle; on
text-only channels type their numbers, "1 3 5"), writes a note, checks, and sends.

Steps: FIELDS → NOTE → summary (confirm or edit). State lives in the conversation row like any
form's, so the official can stop half-way and come back.
"""

from __future__ import annotations

import re

from handlers import fields
from handlers.clock import to_db
from handlers.context import Context
from handlers.events import ChoiceEvent, Event, TextEvent
from handlers.flow import CONFIRM, EDIT, SUMMARY, reset_state
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import audit, render, review
from handlers.practice_form import PRACTICE_FORM
from handlers.replies import ACTION_TOKEN, Option, Reply, TextReply
from handlers.state import ChangesDraft
from storage.models import Practice, PracticeEventKind, PracticeStatus, id_of
from storage.repositories import reviews

FIELDS, NOTE = "fields", "note"
DONE = "__done__"
NOTE_FORM = Form("pr_changes", (FieldSpec("note", Kind.TEXT, max_length=1000),))
_NUMBERS = re.compile(r"^[\d\s,;.]+$")


class ChangesFlow:
    name = "pr_changes"

    async def start(self, ctx: Context) -> list[Reply]:
        target = ctx.state.target or 0
        practice = await reviews.get_practice(ctx.session, target)
        choices = [spec.name for spec in
                   PRACTICE_FORM.applicable(practice.answers if practice else {})]
        reset_state(ctx, flow=self.name, draft=ChangesDraft(choices=choices))
        ctx.state.target = target
        lead = ctx.t("pr_changes.intro", code=practice.code if practice else "?")
        return self._ask_fields(ctx, lead)

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        step = ctx.conversation.step
        if step == NOTE:
            outcome = await fields.accept(ctx, NOTE_FORM, NOTE_FORM.fields[0], event)
            if isinstance(outcome, fields.Invalid):
                return self._ask_note(ctx, _warn(ctx, outcome))
            if isinstance(outcome, fields.Pending):
                return outcome.replies
            ctx.answers["note"] = outcome.value
            return self._summary(ctx)
        if step == SUMMARY:
            return await self._on_summary(ctx, event)
        return self._on_fields(ctx, event)

    async def reask(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        step = ctx.conversation.step
        if step == NOTE:
            return self._ask_note(ctx, lead)
        if step == SUMMARY:
            return self._summary(ctx, lead)
        return self._ask_fields(ctx, lead)

    async def back(self, ctx: Context) -> list[Reply]:
        step = ctx.conversation.step
        if step == SUMMARY:
            return self._ask_note(ctx, ctx.t("back.done"))
        if step == NOTE:
            return self._ask_fields(ctx, ctx.t("back.done"))
        return self._ask_fields(ctx, ctx.t("back.at_start"))

    def has_progress(self, ctx: Context) -> bool:
        return bool(_draft(ctx).picked) or bool(ctx.answers)

    # -- steps ------------------------------------------------------------------------------

    def _ask_fields(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        ctx.conversation.step = FIELDS
        picked = _draft(ctx).picked
        options = [Option(("✅ " if name in picked else "▫️ ")
                          + ctx.t(f"practice.{name}.label"), name)
                   for name in _draft(ctx).choices]
        options.append(Option(ctx.t("pr_changes.done"), DONE))
        text = ctx.t("pr_changes.fields.ask")
        if picked:
            text += "\n" + ctx.t("pr_changes.picked", fields=render.field_labels(ctx.t, picked))
        if lead:
            text = f"{lead}\n\n{text}"
        token = ctx.issue_token(options, free_input=False)
        return [TextReply(text, tuple(options), token=token)]

    def _on_fields(self, ctx: Context, event: Event) -> list[Reply]:
        picked = _draft(ctx).picked
        choice = fields.resolve_option(ctx, event)
        if isinstance(choice, fields.Invalid):
            return self._ask_fields(ctx, _warn(ctx, choice))
        if choice == DONE:
            if not picked:
                return self._ask_fields(ctx, "⚠️ " + ctx.t("pr_changes.need_field"))
            return self._ask_note(ctx)
        names = [choice] if choice else _typed_numbers(ctx, event)
        if not names:
            key = "error.pick_option" if isinstance(event, (TextEvent, ChoiceEvent)) else \
                f"error.unsupported.{getattr(event, 'what', 'other')}"
            return self._ask_fields(ctx, "⚠️ " + ctx.t(key))
        for name in names:
            if name in picked:
                picked.remove(name)
            else:
                picked.append(name)
        return self._ask_fields(ctx)

    def _ask_note(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        ctx.conversation.step = NOTE
        text = fields.question_text(ctx, NOTE_FORM, NOTE_FORM.fields[0])
        if current := ctx.answers.get("note"):
            text += "\n" + ctx.t("answer.current", value=render.excerpt(current, 300))
        if lead:
            text = f"{lead}\n\n{text}"
        token = ctx.issue_token((), free_input=True)
        return [TextReply(text, (), token=token, free_input=True)]

    def _summary(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        ctx.conversation.step = SUMMARY
        text = ctx.t("pr_changes.summary", fields=render.field_labels(
            ctx.t, _draft(ctx).picked), note=ctx.answers.get("note", ""))
        if lead:
            text = f"{lead}\n\n{text}"
        options = (Option(ctx.t("summary.confirm"), CONFIRM), Option(ctx.t("summary.edit"), EDIT))
        return [TextReply(text, options, token=ctx.issue_token(options, free_input=False))]

    async def _on_summary(self, ctx: Context, event: Event) -> list[Reply]:
        picked = fields.resolve_option(ctx, event)
        if picked == CONFIRM:
            replies = await _send(ctx)
            reset_state(ctx, flow=None)
            last = replies[-1] if replies else None
            if isinstance(last, TextReply) and last.token == ACTION_TOKEN:
                ctx.offer_actions(last.options)
            return replies
        if picked == EDIT:
            return self._ask_fields(ctx)
        key = picked.key if isinstance(picked, fields.Invalid) else "error.summary_pick"
        return self._summary(ctx, "⚠️ " + ctx.t(key))


def _typed_numbers(ctx: Context, event: Event) -> list[str]:
    """ "1 3 5" or "1,3" typed on a channel without buttons: the fields at those numbers."""
    if not isinstance(event, TextEvent) or not _NUMBERS.match(event.text.strip()):
        return []
    values = ctx.state.question.options
    numbers = [int(n) for n in re.findall(r"\d+", event.text)]
    if not numbers or any(not 1 <= n <= len(values) for n in numbers):
        return []
    return [v for v in dict.fromkeys(values[n - 1] for n in numbers) if v != DONE]


async def _send(ctx: Context) -> list[Reply]:
    practice = await review.awaiting(ctx, "pr_changes")
    if not isinstance(practice, Practice):
        return practice
    event = await reviews.add_event(
        ctx.session, practice=practice, kind=PracticeEventKind.CHANGES_REQUESTED,
        actor_id=id_of(ctx.person), now=to_db(ctx.now), to_status=PracticeStatus.CHANGES_REQUESTED,
        note=ctx.answers.get("note"), field_names=_draft(ctx).picked)
    await audit.on_practice(ctx, "practice.changes", practice)
    await review.notify_leader(ctx, practice, event)
    return await review.card(ctx, practice, lead="✅ " + ctx.t("pract.changes_sent"))


def _warn(ctx: Context, invalid: fields.Invalid) -> str:
    return "⚠️ " + ctx.t(invalid.key, **invalid.params)


def build_flow() -> ChangesFlow:
    return ChangesFlow()


async def send_request(ctx: Context) -> list[Reply]:
    """Send the request for changes the state holds (``target``, ``picked``, the note): what
    the summary's confirm runs, and what the web console calls (handlers/officials/
    desk_actions.py)."""
    return await _send(ctx)


def _draft(ctx: Context) -> ChangesDraft:
    return ctx.state.draft_as(ChangesDraft)
