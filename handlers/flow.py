"""The form runner: asks a form's fields in order, then shows a summary to check and confirm.

Every flow built on it gets the same manners: a bad answer is explained and the same question
asked again, /back goes one step back, any answer can be changed from the summary, and nothing
typed is lost because the state lives in the conversation row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from handlers import consent, early, fields, voice
from handlers.context import Context
from handlers.events import ChoiceEvent, Event, TextEvent
from handlers.forms import FieldSpec, Form, Kind
from handlers.replies import Option, Reply, TextReply
from handlers.state import ConversationState, Draft, FeedbackDraft, FormDraft, Scratch
from handlers.summary import render_summary

SUMMARY = "__summary__"
EDIT_PICK = "__edit__"
CONFIRM = "__confirm__"
EDIT = "__edit__"

Completion = Callable[[Context, dict[str, Any]], Awaitable[list[Reply]]]


class Flow(Protocol):
    name: str

    async def start(self, ctx: Context) -> list[Reply]: ...
    async def handle(self, ctx: Context, event: Event) -> list[Reply]: ...
    async def reask(self, ctx: Context, lead: str | None = None) -> list[Reply]: ...
    async def back(self, ctx: Context) -> list[Reply]: ...
    def has_progress(self, ctx: Context) -> bool: ...


class FormFlow:
    draft_model: type[FormDraft | FeedbackDraft] = FormDraft
    """The draft this flow keeps in the conversation (handlers/state.py)."""

    def __init__(self, name: str, form: Form, on_complete: Completion) -> None:
        self.name = name
        self.form = form
        self.on_complete = on_complete

    # -- entry points -----------------------------------------------------------------------

    async def start(self, ctx: Context) -> list[Reply]:
        reset_state(ctx, flow=self.name, draft=self.draft_model())
        first = self.form.next_unanswered(ctx.answers)
        assert first is not None, "a form needs at least one field"
        lead = ctx.t(f"{self.form.name}.intro")
        if len(self.form.fields) >= fields.LONG_FORM:
            total = len(self.form.counted(ctx.answers))
            lead += "\n" + ctx.t("form.duration", count=total, minutes=max(1, round(total / 3)))
        return await self._ask(ctx, first, lead=lead)

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        step = ctx.conversation.step
        if step == SUMMARY:
            return await self._on_summary(ctx, event)
        if step == EDIT_PICK:
            return await self._on_edit_pick(ctx, event)
        if step == consent.STEP:
            return await self._on_consent(ctx, event)
        spec = self.form.field(step or "")
        if kept := early.keep(ctx, self.form, spec, event):
            return await self._ask(ctx, spec, lead=kept)
        outcome = await voice.accept(ctx, self.form, spec, event)
        if outcome is None:
            outcome = await fields.accept(ctx, self.form, spec, event)
        if isinstance(outcome, fields.Invalid):
            return await self._ask(ctx, spec, lead=_warn(ctx, outcome))
        if isinstance(outcome, fields.Pending):
            return outcome.replies
        return await self._store(ctx, spec, outcome)

    async def reask(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        step = ctx.conversation.step
        if step == SUMMARY:
            return self._summary(ctx, lead)
        if step == EDIT_PICK:
            return self._edit_menu(ctx, lead)
        if step == consent.STEP:
            return consent.ask(ctx, ctx.state.consent_for or "", lead)
        return await self._ask(ctx, self.form.field(step or ""), lead=lead)

    async def back(self, ctx: Context) -> list[Reply]:
        history = ctx.draft.history
        if ctx.conversation.step == EDIT_PICK:
            return self._summary(ctx)
        if not history:
            return await self.reask(ctx, lead=ctx.t("back.at_start"))
        previous = self.form.field(history.pop())
        ctx.draft.editing = False
        return await self._ask(ctx, previous, lead=ctx.t("back.done"))

    def has_progress(self, ctx: Context) -> bool:
        return bool(ctx.answers) or bool(ctx.scratch.photos) or ctx.scratch.voice is not None

    # -- steps ------------------------------------------------------------------------------

    async def _ask(self, ctx: Context, spec: FieldSpec, lead: str | None = None) -> list[Reply]:
        if consent.needs_notice(ctx, spec):
            return consent.ask(ctx, spec.name, lead)
        if ctx.conversation.step != spec.name:
            ctx.draft.scratch = Scratch()
            if spec.kind is Kind.PHOTOS and spec.name in ctx.answers:
                ctx.scratch.photos = list(ctx.answers[spec.name] or [])
            if spec.video and ctx.answers.get("video"):
                ctx.scratch.video = ctx.answers["video"]
        ctx.conversation.step = spec.name
        if spec.kind is Kind.PHOTOS and (photos := early.take_photos(ctx, spec)):
            ctx.scratch.photos.extend(photos)
            lead = "\n".join(filter(None, (lead, ctx.t("early.photos_attached",
                                                        count=len(photos)))))
        if spec.kind is Kind.LOCATION and (location := early.take_location(ctx)):
            outcome = await fields.accept_location(ctx, self.form, spec, location)
            if isinstance(outcome, fields.Pending):
                return outcome.replies
            if isinstance(outcome, fields.Accepted):
                return await self._store(ctx, spec, outcome)
        if spec.voice and (kept := early.take_voice(ctx)):
            ctx.scratch.voice = kept
            attached = ctx.t("early.voice_attached",
                             length=voice.length(kept["duration_seconds"]))
            lead = f"{lead}\n{attached}" if lead else attached
        if voice.waiting(ctx, spec):
            return voice.ask_summary(ctx, lead)
        current = voice.describe(ctx, spec, ctx.answers) or ctx.answers.get(spec.name)
        if current is not None and spec.kind in (Kind.TEXT, Kind.NUMBER, Kind.MONEY):
            shown = str(current) if len(str(current)) <= 300 else str(current)[:300] + "…"
            note = ctx.t("answer.current", value=shown)
            lead = f"{lead}\n{note}" if lead else note
        return await fields.prompt(ctx, self.form, spec, lead=lead)

    async def _store(self, ctx: Context, spec: FieldSpec, outcome: fields.Accepted) -> list[Reply]:
        ctx.answers[spec.name] = outcome.value
        for name, value in outcome.also.items():
            if value is None:
                ctx.answers.pop(name, None)
            else:
                ctx.answers[name] = value
        history = ctx.draft.history
        if not history or history[-1] != spec.name:
            history.append(spec.name)
        for other in self.form.fields:  # answers that no longer apply would confuse the summary
            if other.name in ctx.answers and not other.applies(ctx.answers):
                del ctx.answers[other.name]
        after = None if ctx.draft.editing else spec.name
        following = self.form.next_unanswered(ctx.answers, after=after)
        if following is None and after is not None:
            following = self.form.next_unanswered(ctx.answers)
        if following is None:
            return self._summary(ctx, outcome.note)
        return await self._ask(ctx, following, lead=outcome.note)

    async def _on_consent(self, ctx: Context, event: Event) -> list[Reply]:
        """The answer to the privacy notice shown before `consent_for`, a personal question."""
        pending = self.form.field(ctx.state.consent_for or "")
        picked = fields.resolve_option(ctx, event)
        if picked == consent.AGREE:
            await consent.give(ctx)
            return await self._ask(ctx, pending, lead="✅ " + ctx.t("privacy.given"))
        if picked != consent.DECLINE:
            key = picked.key if isinstance(picked, fields.Invalid) else "error.pick_option"
            return consent.ask(ctx, pending.name, lead="⚠️ " + ctx.t(key))
        await consent.decline(ctx)
        if self.form.without_personal_data is None:
            reset_state(ctx, flow=None)
            return [TextReply(ctx.t("privacy.declined_stop"))]
        ctx.answers.update(self.form.without_personal_data)
        following = self.form.next_unanswered(ctx.answers)
        lead = ctx.t("privacy.declined_anonymous")
        return self._summary(ctx, lead) if following is None else \
            await self._ask(ctx, following, lead=lead)

    def _summary(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        ctx.conversation.step = SUMMARY
        ctx.draft.scratch = Scratch()
        ctx.draft.editing = False
        text = render_summary(ctx, self.form)
        if lead:
            text = f"{lead}\n\n{text}"
        options = (Option(ctx.t("summary.confirm"), CONFIRM), Option(ctx.t("summary.edit"), EDIT))
        token = ctx.issue_token(options, free_input=False)
        return [TextReply(text, options, token=token)]

    async def _on_summary(self, ctx: Context, event: Event) -> list[Reply]:
        picked = fields.resolve_option(ctx, event)
        if picked == CONFIRM:
            return await self.confirmed(ctx)
        if picked == EDIT:
            return self._edit_menu(ctx)
        key = picked.key if isinstance(picked, fields.Invalid) else "error.summary_pick"
        return self._summary(ctx, lead="⚠️ " + ctx.t(key))

    async def confirmed(self, ctx: Context) -> list[Reply]:
        """The summary was confirmed. A flow may ask one more thing first (the feedback flow
        offers similar open feedback), then calls `complete`."""
        return await self.complete(ctx)

    async def complete(self, ctx: Context) -> list[Reply]:
        answers = dict(ctx.answers)
        replies = await self.on_complete(ctx, answers)
        reset_state(ctx, flow=None)
        return replies

    def _edit_menu(self, ctx: Context, lead: str | None = None) -> list[Reply]:
        ctx.conversation.step = EDIT_PICK
        options = tuple(
            Option(ctx.t(f"{self.form.name}.{spec.name}.label"), spec.name)
            for spec in self.form.applicable(ctx.answers)
        )
        text = ctx.t("summary.edit_which")
        token = ctx.issue_token(options, free_input=False)
        return [TextReply(f"{lead}\n\n{text}" if lead else text, options, token=token)]

    async def _on_edit_pick(self, ctx: Context, event: Event) -> list[Reply]:
        picked = fields.resolve_option(ctx, event)
        if isinstance(picked, str) and self.form.has(picked):
            ctx.draft.editing = True
            return await self._ask(ctx, self.form.field(picked))
        if isinstance(event, (ChoiceEvent, TextEvent)) or picked is not None:
            return self._edit_menu(ctx, lead="⚠️ " + ctx.t("error.pick_option"))
        return self._edit_menu(ctx, lead=_warn(ctx, fields.Invalid("error.pick_option")))


def reset_state(ctx: Context, *, flow: str | None, draft: Draft | None = None) -> None:
    """Start afresh with `draft` (an empty form by default), keeping only what must outlive a
    flow: the question counter (so old buttons stay recognisably old), /link's wrong-code count
    (so starting or cancelling a flow does not reset a brute-force limit), and what the
    consensus consultation offered (handlers/consensus.py: only what it offered is voted)."""
    ctx.conversation.flow = flow
    ctx.conversation.step = None
    old = ctx.state
    ctx.state = ConversationState(seq=old.seq, link_failures=old.link_failures,
                                  consultation=old.consultation, draft=draft or FormDraft())
    ctx.conversation.started_at = None  # the engine stamps the start of a new flow


def _warn(ctx: Context, invalid: fields.Invalid) -> str:
    return "⚠️ " + ctx.t(invalid.key, **invalid.params)
