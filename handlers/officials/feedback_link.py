"""An official who resolved a feedback links it to the practice whose mobilisation resolved it
(`fb_link`): the practice's public page then counts "đã giải quyết N phản ánh", never showing
which feedback or what it said. Only a resolved feedback in the official's jurisdiction, and
only a public practice there, can be linked."""

from __future__ import annotations

import re
from typing import Any

from handlers.commands import Action
from handlers.context import Context
from handlers.events import Event, TextEvent
from handlers.forms import FieldSpec, Form, Kind
from handlers.officials import audit
from handlers.officials.feedback_actions import card
from handlers.officials.jurisdiction import Refused, feedback_for_official, official_scope
from handlers.replies import Reply, TextReply
from handlers.targeted import TargetedFlow, begin, target_of
from storage.models import PUBLIC_PRACTICE_STATUSES, Feedback, FeedbackStatus
from storage.repositories import practice_life, practices

CODE = re.compile(r"MH-\d{4}-\d{1,12}")
LINK_FORM = Form("fb_link", (FieldSpec("practice_code", Kind.TEXT, max_length=40),))


async def _resolved(ctx: Context, feedback_id: int, action: str) -> Feedback | list[Reply]:
    feedback = await feedback_for_official(ctx, [str(feedback_id)], action=action)
    if isinstance(feedback, Refused):
        return feedback.replies
    if feedback.status != FeedbackStatus.RESOLVED:
        return [TextReply("⚠️ " + ctx.t("fb_link.not_resolved"))]
    return feedback


async def start(ctx: Context, args: list[str]) -> list[Reply]:
    """``fb_link:<feedback id>``."""
    target = int(args[0]) if args and args[0].isdigit() and len(args[0]) <= 12 else 0
    feedback = await _resolved(ctx, target, "fb_link")
    if not isinstance(feedback, Feedback):
        return feedback
    return await begin(ctx, "fb_link", target)


async def _intro(ctx: Context, target: int) -> str:
    return ctx.t("fb_link.intro")


class LinkFlow(TargetedFlow):
    """The code typed must name a public practice in the official's jurisdiction; otherwise
    the same question again, saying why."""

    async def handle(self, ctx: Context, event: Event) -> list[Reply]:
        if ctx.conversation.step == "practice_code" and isinstance(event, TextEvent):
            problem = await _problem(ctx, event.text)
            if problem is not None:
                return await self.reask(ctx, lead="⚠️ " + problem)
        return await super().handle(ctx, event)


async def _problem(ctx: Context, text: str) -> str | None:
    found = CODE.search(text.upper())
    if found is None:
        return ctx.t("fb_link.bad_code")
    practice = await practices.get_by_code(ctx.session, found.group(0))
    scope = official_scope(ctx)
    if (practice is None or practice.status not in PUBLIC_PRACTICE_STATUSES or scope is None
            or not scope.covers_practice(practice)):
        return ctx.t("fb_link.no_practice", code=found.group(0))
    return None


async def _linked(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    feedback = await _resolved(ctx, target_of(ctx), "fb_link")
    if not isinstance(feedback, Feedback):
        return feedback
    if (problem := await _problem(ctx, answers["practice_code"])) is not None:
        return [TextReply("⚠️ " + problem)]
    code = CODE.search(answers["practice_code"].upper()).group(0)  # type: ignore[union-attr]
    practice = await practices.get_by_code(ctx.session, code)
    assert practice is not None
    await practice_life.link_feedback(ctx.session, feedback=feedback, practice_id=practice.id)
    await audit.on_feedback(ctx, "feedback.link_practice", feedback)
    return await card(ctx, feedback, lead="✅ " + ctx.t("fb_link.done", code=code))


def build_flow() -> TargetedFlow:
    return LinkFlow("fb_link", LINK_FORM, _linked, intro=_intro, confirm=False)


ACTIONS = [Action("fb_link", start)]
