"""Warnings on a feedback, found when it is sent and stored with it (storage's FeedbackFlag):
rude words, links through URL shorteners, and the same text sent again by the same sender
within `REPEAT_WINDOW`. Officials see them on the card, in the notice of a new feedback and in
the report's feedback list; the feedback itself is delivered as sent, never dropped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from handlers.abuse import profanity, spam
from handlers.clock import to_db
from handlers.context import Context
from handlers.i18n import Translator
from storage.models import Feedback, FeedbackFlag, FeedbackFlagKind
from storage.repositories import feedback_flags

REPEAT_WINDOW = timedelta(days=30)

Found = list[tuple[str, str | None]]


async def find(ctx: Context, *, text: str, anonymous: bool) -> Found:
    """The warnings a feedback about to be stored deserves, as (kind, detail) pairs. Called
    before the feedback is stored, so its own text is not counted as a repeat."""
    found: Found = []
    if spam.shortener_hosts(text):
        found.append((FeedbackFlagKind.SHORTENER, ", ".join(spam.shortener_hosts(text))))
    key = spam.same_text_key(text)
    earlier = await feedback_flags.texts_sent_since(
        ctx.session, reporter_id=ctx.person.id or 0, anonymous=anonymous,
        since=to_db(ctx.now - REPEAT_WINDOW))
    repeats = sum(1 for other in earlier if spam.same_text_key(other) == key)
    if key and repeats:
        found.append((FeedbackFlagKind.REPEATED, str(repeats)))
    if profanity.rude_words(text):
        # Which words is not kept: the card shows the text itself.
        found.append((FeedbackFlagKind.PROFANITY, None))
    return found


async def store(ctx: Context, feedback: Feedback, found: Found) -> None:
    if found and feedback.id is not None:
        await feedback_flags.add(ctx.session, feedback_id=feedback.id, flags=found,
                                 now=to_db(ctx.now))


def describe(t: Translator, kind: str, detail: str | None) -> str:
    """One warning in words, without its sign (the card and the report add their own)."""
    if kind == FeedbackFlagKind.SHORTENER:
        return t("flag.shortener", hosts=detail or "")
    if kind == FeedbackFlagKind.REPEATED:
        return t("flag.repeated", count=detail or "1")
    return t("flag.profanity")


def lines(t: Translator,
          flags: Sequence[FeedbackFlag] | Sequence[tuple[str, str | None]]) -> list[str]:
    """The card's warning lines, each with its sign."""
    pairs = [(f.kind, f.detail) if isinstance(f, FeedbackFlag) else f for f in flags]
    return ["⚠️ " + describe(t, kind, detail) for kind, detail in pairs]
