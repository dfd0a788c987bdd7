"""Small forms about one item: an official's reply to a feedback, a reason for rejecting a
practice, a leader's edits, a citizen's comment on a rating.

They are ordinary forms (same manners: bad input asks again, /back, /cancel, drafts survive),
plus the item they are about, kept in the conversation state as ``target``. A form may skip the
summary when there is nothing worth checking (one optional comment).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from handlers.context import Context
from handlers.events import Event
from handlers.flow import SUMMARY, Completion, FormFlow, reset_state
from handlers.forms import Form
from handlers.replies import ACTION_TOKEN, Reply, TextReply

Intro = Callable[[Context, int], Awaitable[str]]
Prefill = Callable[[Context, int], Awaitable[dict[str, Any]]]


class TargetedFlow(FormFlow):
    def __init__(self, name: str, form: Form, on_complete: Completion, *, intro: Intro,
                 confirm: bool = True, prefill: Prefill | None = None) -> None:
        super().__init__(name, form, on_complete)
        self.intro = intro
        self.confirm = confirm
        self.prefill = prefill

    async def start(self, ctx: Context) -> list[Reply]:
        target = ctx.state.target or 0  # 0: a form about nothing in particular
        reset_state(ctx, flow=self.name, draft=self.draft_model())
        ctx.state.target = target
        if self.prefill is not None:
            ctx.answers.update(await self.prefill(ctx, target))
        await self.prepare(ctx, target)
        first = self.form.next_unanswered(ctx.answers)
        assert first is not None, "a targeted form needs a question to ask"
        ctx.conversation.step = first.name
        return await self.reask(ctx, lead=await self.intro(ctx, target))

    async def prepare(self, ctx: Context, target: int) -> None:
        """Set up the conversation state before the first question (e.g. a suggested unit)."""

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        replies = await super().handle(ctx, event)
        if (not self.confirm and ctx.conversation.flow == self.name
                and ctx.conversation.step == SUMMARY):
            answers = dict(ctx.answers)
            replies = await self.on_complete(ctx, answers)
            reset_state(ctx, flow=None)
        if ctx.conversation.flow is None:
            _keep_offered_actions(ctx, replies)
        return replies


def target_of(ctx: Context) -> int:
    return ctx.state.target or 0


async def begin(ctx: Context, flow_name: str, target: int) -> list[Reply]:
    """Start a targeted form, unless the person is in the middle of something else."""
    active = ctx.features.flows.get(ctx.conversation.flow or "")
    if active is not None:
        busy = ctx.t("flow.busy", flow=ctx.t(f"flow.name.{active.name}"))
        return [TextReply("⚠️ " + busy)]
    ctx.state.target = target
    return await ctx.features.flows[flow_name].start(ctx)


def _keep_offered_actions(ctx: Context, replies: list[Reply]) -> None:
    """A finished form's last reply may offer action buttons; keep them pickable by typing."""
    last = replies[-1] if replies else None
    if isinstance(last, TextReply) and last.token == ACTION_TOKEN and last.options:
        ctx.offer_actions(last.options)
