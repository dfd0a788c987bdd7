"""A form's answers as a person reads them: labels, option names, places, counts."""

from __future__ import annotations

from typing import Any

from handlers import places, voice
from handlers.context import Context
from handlers.forms import FieldSpec, Form, Kind
from handlers.numbers import grouped, in_words

_LONG = 600


def render_summary(ctx: Context, form: Form) -> str:
    lines = [ctx.t(f"{form.name}.summary.title"), ""]
    for spec in form.applicable(ctx.answers):
        label = ctx.t(f"{form.name}.{spec.name}.label")
        shown = voice.describe(ctx, spec, ctx.answers) or display_value(
            ctx, spec, ctx.answers.get(spec.name))
        lines.append(f"• {label}: {shown}{video_note(ctx, spec, ctx.answers)}")
    lines += ["", ctx.t("summary.check")]
    return "\n".join(lines)


def content_lines(ctx: Context, form: Form, answers: dict[str, Any]) -> list[str]:
    """Every answer in full, as its submitter gave it: what they read back of their own item."""
    return [f"• {ctx.t(f'{form.name}.{spec.name}.label')}: "
            f"{display_value(ctx, spec, answers.get(spec.name), limit=None)}"
            f"{video_note(ctx, spec, answers)}"
            for spec in form.applicable(answers)]


def video_note(ctx: Context, spec: FieldSpec, answers: dict[str, Any]) -> str:
    """" · 🎬 video 0:42" after the photos, where a video came with them."""
    video = answers.get("video") if spec.video else None
    if not video:
        return ""
    seconds = int(video.get("duration_seconds") or 0)
    return " · " + ctx.t("video.summary", length=f"{seconds // 60}:{seconds % 60:02d}")


def display_value(ctx: Context, spec: FieldSpec, value: Any, *, limit: int | None = _LONG) -> str:
    if value is None or value == "":
        return "—"
    if spec.kind is Kind.CHOICE:
        return ctx.t(f"option.{spec.name}.{value}")
    if spec.kind is Kind.UNIT:
        unit = ctx.units.get(value)
        return unit.label if unit else str(value)
    if spec.kind is Kind.LOCATION:
        return places.describe(ctx, value)
    if spec.kind is Kind.PHOTOS:
        return ctx.t("summary.photos", count=len(value))
    if spec.kind is Kind.NUMBER:
        return grouped(value)
    if spec.kind is Kind.MONEY:
        return ctx.t("money.amount", amount=grouped(value), words=in_words(value))
    text = str(value)
    return text if limit is None or len(text) <= limit else text[:limit].rstrip() + "…"
