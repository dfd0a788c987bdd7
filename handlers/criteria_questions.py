"""One criterion asked as one message, and its answer checked: shared by the submitter's
self-assessment (handlers/self_assessment.py) and an official's (handlers/officials/assessment.py).

Yes/no and 1–5 come as buttons, which channels without buttons show as numbered lines (Zalo
Bot: "3" picks the third); a number or a text is typed. An optional criterion can be skipped.
A bad answer is explained and the same criterion asked again.
"""

from __future__ import annotations

from typing import Any

from handlers.context import Context
from handlers.criteria import SCALE, Criterion, CriterionKind
from handlers.events import TextEvent, UnsupportedEvent, VoiceEvent
from handlers.fields import Accepted, Invalid, resolve_option, voice_limits
from handlers.i18n import Translator
from handlers.numbers import NotANumber, grouped, parse_count
from handlers.options import SKIP
from handlers.replies import Option, Reply, TextReply

STEP_PREFIX = "criterion:"
YES, NO = "yes", "no"
MAX_TEXT = 500


def step_of(criterion: Criterion) -> str:
    return STEP_PREFIX + criterion.code


def code_of(step: str | None) -> str | None:
    return step[len(STEP_PREFIX):] if step and step.startswith(STEP_PREFIX) else None


def ask(ctx: Context, criterion: Criterion, *, heading: str, current: Any = None,
        lead: str | None = None) -> list[Reply]:
    """The criterion under a heading ("Tự đánh giá 2/5"), its hint, and the answer given
    before, if any."""
    ctx.conversation.step = step_of(criterion)
    hints = [ctx.t(f"criteria.hint.{criterion.kind}",
                   unit=criterion.unit.in_language(ctx.t.language) if criterion.unit else "")]
    if not criterion.required:
        hints.append(ctx.t("hint.optional"))
    text = f"{heading}\n{criterion.text.in_language(ctx.t.language)}\n({'; '.join(hints)})"
    if current is not None:
        text += "\n" + ctx.t("answer.current", value=value_text(ctx.t, criterion, current))
    if lead:
        text = f"{lead}\n\n{text}"
    options: list[Option] = []
    if criterion.kind is CriterionKind.YES_NO:
        options = [Option(ctx.t("criteria.yes"), YES), Option(ctx.t("criteria.no"), NO)]
    elif criterion.kind is CriterionKind.SCALE:
        options = [Option(ctx.t(f"criteria.scale.{value}"), value) for value in SCALE]
    free_input = criterion.kind in (CriterionKind.NUMBER, CriterionKind.TEXT)
    if not criterion.required:
        options.append(Option(ctx.t("common.skip"), SKIP))
    token = ctx.issue_token(options, free_input=free_input,
                            long_text=criterion.kind is CriterionKind.TEXT)
    return [TextReply(text, tuple(options), token=token, free_input=free_input)]


def accept(ctx: Context, criterion: Criterion) -> Accepted | Invalid:
    """The answer this turn's event gives to `criterion` (None: skipped)."""
    event = ctx.event
    picked = resolve_option(ctx, event)
    if isinstance(picked, Invalid):
        return picked
    if picked == SKIP and not criterion.required:
        return Accepted(None)
    if isinstance(event, UnsupportedEvent):
        return Invalid(f"error.unsupported.{event.what}", voice_limits(ctx))
    if isinstance(event, VoiceEvent):
        return Invalid("error.unsupported.voice")
    if criterion.kind is CriterionKind.YES_NO:
        return Accepted(picked == YES) if picked in (YES, NO) else Invalid("error.pick_option")
    if criterion.kind is CriterionKind.SCALE:
        return Accepted(int(picked)) if picked in SCALE else Invalid("criteria.error.scale")
    if not isinstance(event, TextEvent):
        return Invalid("error.expect_number" if criterion.kind is CriterionKind.NUMBER
                       else "error.expect_text")
    if criterion.kind is CriterionKind.NUMBER:
        value = parse_count(event.text)
        if isinstance(value, NotANumber):
            return Invalid(value.value)
        if not 0 <= value <= criterion.max_value:
            return Invalid("error.number_range", {"min": "0",
                                                  "max": grouped(criterion.max_value)})
        return Accepted(value)
    text = event.text.strip()
    if not text:
        return Invalid("error.empty")
    if len(text) > MAX_TEXT:
        return Invalid("error.too_long", {"length": len(text), "max": MAX_TEXT})
    return Accepted(text)


def value_text(t: Translator, criterion: Criterion, value: Any) -> str:
    """An answer as a person reads it: "Có", "4/5", "8 tháng", the text; "—" when skipped."""
    if value is None:
        return t("criteria.skipped")
    if criterion.kind is CriterionKind.YES_NO:
        return t("criteria.yes" if value else "criteria.no")
    if criterion.kind is CriterionKind.SCALE:
        return f"{value}/5"
    if criterion.kind is CriterionKind.NUMBER:
        unit = criterion.unit.in_language(t.language) if criterion.unit else ""
        return f"{grouped(int(value))} {unit}".strip()
    return str(value) if len(str(value)) <= 200 else str(value)[:200] + "…"


def warning(ctx: Context, invalid: Invalid) -> str:
    return "⚠️ " + ctx.t(invalid.key, **invalid.params)
