"""Voice notes as answers: older citizens speak rather than type.

A text question marked `voice` (a feedback's description, an addition to it) takes a voice note
as well as typed text. The note (already kept clean by the adapter: re-encoded, no tags) waits
in the step's scratch while the person is asked for an optional one-line summary; the summary,
or nothing ("Bỏ qua"), becomes the text answer and the note is kept beside it
(`FieldSpec.voice_answer`). Typing an answer instead replaces a note given earlier. A note sent
before its question is kept for it (handlers/early.py); a note too long or too large is refused
with the caps, and the same question is asked again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from handlers import fields
from handlers.context import Context
from handlers.events import Event, TextEvent, UnsupportedEvent, VoiceEvent
from handlers.forms import FieldSpec, Form
from handlers.options import SKIP
from handlers.replies import Option, Reply, TextReply

SUMMARY_MAX = 200


def record(event: VoiceEvent) -> dict[str, Any]:
    """A kept voice note as the answers and `FeedbackVoice` hold it."""
    media = event.media
    return {"sha256": media.sha256, "path": media.path, "mime_type": media.mime_type,
            "size_bytes": media.size_bytes, "duration_seconds": media.duration_seconds or 1,
            "platform_file_id": media.platform_file_id, "channel": event.sender.channel}


def length(seconds: int | None) -> str:
    """How long a note plays, as a player shows it: "0:42", "1:05"."""
    seconds = max(int(seconds or 0), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


async def accept(ctx: Context, form: Form, spec: FieldSpec,
                 event: Event) -> fields.Outcome | None:
    """The outcome of an event at a question a voice note may answer; None elsewhere."""
    if not spec.voice:
        return None
    picked = fields.resolve_option(ctx, event)
    if isinstance(event, VoiceEvent):
        replaced = ctx.scratch.voice is not None
        ctx.scratch.voice = record(event)
        key = "voice.replaced" if replaced else "voice.received"
        return fields.Pending(ask_summary(ctx, lead=ctx.t(key, length=length(
            event.media.duration_seconds))))
    note = ctx.scratch.voice
    if note is None:  # a typed answer (or a skip) replaces a note given before
        outcome = await fields.accept(ctx, form, spec, event)
        if isinstance(outcome, fields.Accepted):
            return replace(outcome, also={spec.voice_answer: None})
        return outcome
    if isinstance(picked, fields.Invalid):
        return picked
    if picked == SKIP:
        return _kept(ctx, spec, note, "")
    if isinstance(event, UnsupportedEvent):  # another note, too long: the caps, and the same
        return await fields.accept(ctx, form, spec, event)  # summary question again
    if not isinstance(event, TextEvent):
        return fields.Invalid("voice.summary_expected")
    summary = " ".join(event.text.split())
    if not summary:
        return fields.Invalid("error.empty")
    if len(summary) > SUMMARY_MAX:
        return fields.Invalid("voice.summary_too_long", {"length": len(summary),
                                                         "max": SUMMARY_MAX})
    return _kept(ctx, spec, note, summary)


def _kept(ctx: Context, spec: FieldSpec, note: dict[str, Any], summary: str) -> fields.Accepted:
    ctx.scratch.voice = None
    return fields.Accepted(summary, note=ctx.t("voice.kept", length=length(
        note.get("duration_seconds"))), also={spec.voice_answer: note})


def waiting(ctx: Context, spec: FieldSpec) -> bool:
    """A note of this question waits for its summary (so asking again asks for that)."""
    return spec.voice and ctx.scratch.voice is not None


def ask_summary(ctx: Context, lead: str | None = None) -> list[Reply]:
    text = ctx.t("voice.summary_ask", max=SUMMARY_MAX)
    if lead:
        text = f"{lead}\n\n{text}"
    options = (Option(ctx.t("common.skip"), SKIP),)
    token = ctx.issue_token(options, free_input=True)
    return [TextReply(text, options, token=token, free_input=True)]


def describe(ctx: Context, spec: FieldSpec, answers: dict[str, Any]) -> str | None:
    """The answer with its note, for the summary to check: "🎤 0:42 — «…»"; None: no note."""
    note = answers.get(spec.voice_answer)
    if not spec.voice or not note:
        return None
    text = answers.get(spec.name) or ""
    key = "voice.answer_with_summary" if text else "voice.answer"
    return ctx.t(key, length=length(note.get("duration_seconds")), summary=text)
