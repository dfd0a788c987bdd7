"""Feedback and practices as officials see them: inbox lines, item cards, notices.

This is the only module that turns a feedback into text for an official, and the only one that
reads a sender's identity for that purpose (`_sender_line`). Anonymous feedback is rendered
without ever touching the reporter columns, so no message, inbox page or history shown to an
official can carry the sender's name, username, phone number or chat id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from handlers.clock import from_db
from handlers.context import Context
from handlers.i18n import Translator
from handlers.numbers import grouped, in_words
from handlers.replies import PhotoReply, Reply, VoiceReply
from handlers.voice import length
from storage.models import (
    Feedback,
    FeedbackEvent,
    FeedbackEventKind,
    FeedbackPhoto,
    FeedbackVoice,
    Person,
    Practice,
    PracticeEvent,
    PracticePhoto,
    Recognition,
)
from storage.repositories.reviews import Consensus

REPORTER = "reporter"
PRACTICE_VOICE = "description_voice"
"""Where a practice keeps the voice note of its description (`FieldSpec.voice_answer`)."""
NOTED_KINDS = (FeedbackEventKind.STATUS, FeedbackEventKind.FORWARDED)
"""Changes whose text is the official's note on them; other texts (an answer, an addition, the
reason for reopening) are quoted as said."""


def excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def when(ctx: Context, instant: object) -> str:
    return ctx.local(from_db(instant)).strftime("%d/%m/%Y %H:%M")  # type: ignore[arg-type]


def map_link(latitude: float | None, longitude: float | None) -> str | None:
    if latitude is None or longitude is None:
        return None
    return (f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
            f"#map=17/{latitude:.5f}/{longitude:.5f}")


def recognition_year(ctx: Context, recognition: Recognition) -> int:
    """The cycle year a recognition counts for (rows older than the column: its local year)."""
    return recognition.year or ctx.local(from_db(recognition.recognised_at)).year


def recognition_line(ctx: Context, t: Translator, recognition: Recognition) -> str:
    """🏅 A recognition with its level, year, unit and (if typed) decision number and date."""
    r = recognition
    line = t("prcard.recognised", level=t(f"level.{r.level}"), year=recognition_year(ctx, r),
             unit=unit_label(ctx, r.unit_code) if r.unit_code else t("level.everywhere"))
    if r.decision_number or r.decision_date:
        line += " — " + t("levels.decision", number=r.decision_number or "—",
                          date=r.decision_date.strftime("%d/%m/%Y") if r.decision_date else "—")
    return line


def unit_label(ctx: Context, code: str | None) -> str:
    unit = ctx.units.get(code or "")
    return unit.label if unit else (code or "—")


def official_label(ctx: Context, t: Translator, person: Person | None) -> str:
    """An official as other officials see them: name and unit."""
    if person is None:
        return t("officials.someone")
    unit = ctx.units.get(person.unit_code or "")
    name = person.display_name or t("officials.someone")
    return f"{name} ({unit.name})" if unit else name


# -- feedback -------------------------------------------------------------------------------


def feedback_line(ctx: Context, t: Translator, feedback: Feedback, number: int) -> str:
    commune = ctx.units.get(feedback.commune_code)
    return t("inbox.feedback_line", number=number, code=feedback.code,
             status=t(f"status.feedback.{feedback.status}"),
             category=t(f"option.category.{feedback.category}"),
             place=commune.name if commune else feedback.commune_code,
             when=when(ctx, feedback.created_at), text=excerpt(feedback.text, 80))


def feedback_card(ctx: Context, t: Translator, feedback: Feedback,
                  events: Sequence[FeedbackEvent], photos: Sequence[FeedbackPhoto],
                  actors: Mapping[int, Person], warnings: Sequence[str] = (),
                  voices: Sequence[FeedbackVoice] = (), affected: int = 1,
                  merged_into: Feedback | None = None) -> tuple[list[Reply], str]:
    """Photos and voice notes, then the card's text (to carry the action buttons).
    `warnings`: lines shown under the title (possible spam, a muted sender: handlers/abuse/).
    `affected`: the sender and the people following it (a count only: who they are is never
    shown)."""
    lines = [
        t("fbcard.title", code=feedback.code),
        *warnings,
        t("fbcard.status", status=t(f"status.feedback.{feedback.status}")),
        t("fbcard.category", category=t(f"option.category.{feedback.category}")),
        t("fbcard.place", place=unit_label(ctx, feedback.commune_code)),
        t("fbcard.sent", when=when(ctx, feedback.created_at)),
        _sender_line(t, feedback),
    ]
    if affected > 1:
        lines.append(t("fbcard.affected", count=affected))
    if merged_into is not None:
        lines.append(t("fbcard.merged_into", code=merged_into.code))
    if feedback.assigned_unit_code != feedback.commune_code:
        lines.append(t("fbcard.assigned", unit=unit_label(ctx, feedback.assigned_unit_code)))
    if link := map_link(feedback.latitude, feedback.longitude):
        lines.append(t("fbcard.map", link=link))
    if feedback.satisfaction is not None:
        lines.append(t("fbcard.rating", rating=feedback.satisfaction))
    if voices:
        lines.append(t("fbcard.voices", count=len(voices)))
    lines += ["", t("fbcard.text"), feedback.text or "—", "", t("fbcard.history")]
    lines += [_history_line(ctx, t, event, actors) for event in events]
    code = feedback.code or ""
    return (_photo_replies(t, code, photos) + _voice_replies(t, code, voices),
            "\n".join(lines))


def feedback_notice(ctx: Context, t: Translator, feedback: Feedback, what: str,
                    detail: str | None = None) -> str:
    """A short notice to an official: what happened to which feedback (never who sent it)."""
    return feedback_notice_text(t, feedback, what, unit_label(ctx, feedback.commune_code),
                                detail)


def feedback_notice_text(t: Translator, feedback: Feedback, what: str, place: str,
                         detail: str | None = None) -> str:
    """`feedback_notice` where no chat is at hand (a partner's Open311 filing)."""
    text = t(f"fbnotice.{what}", code=feedback.code,
             category=t(f"option.category.{feedback.category}"), place=place)
    quoted = detail if detail is not None else feedback.text
    return f"{text}\n«{excerpt(quoted, 300)}»" if quoted else text


def _sender_line(t: Translator, feedback: Feedback) -> str:
    if feedback.anonymous:
        return t("fbcard.sender_anonymous")
    if feedback.reporter_phone:
        return t("fbcard.sender_named_phone", name=feedback.reporter_name or "—",
                 phone=feedback.reporter_phone)
    return t("fbcard.sender_named", name=feedback.reporter_name or "—")


def _history_line(ctx: Context, t: Translator, event: FeedbackEvent,
                  actors: Mapping[int, Person]) -> str:
    actor, what = history_actor(ctx, t, event, actors), history_what(ctx, t, event)
    return f"• {when(ctx, event.created_at)} — {actor}: {what}"


def history_actor(ctx: Context, t: Translator, event: FeedbackEvent,
                  actors: Mapping[int, Person]) -> str:
    """Who acted, as officials see it. The sender is "người phản ánh" here, never a name: the
    card's sender line alone shows a name, and only when the sender gave one."""
    if event.actor_role == REPORTER:
        return t("fbcard.reporter")
    if event.actor_id is None:  # the system itself (reminders, escalation)
        return t("history.system")
    return official_label(ctx, t, actors.get(event.actor_id or 0))


def history_what(ctx: Context, t: Translator, event: FeedbackEvent, *,
                 with_text: bool = True) -> str:
    """What an event did, in words shared by the officials', the sender's and the followers'
    views (followers see no one's words but an official's on a status change)."""
    params = {
        "status": t(f"status.feedback.{event.to_status}") if event.to_status else "",
        # an escalation to the central level names no unit
        "unit": unit_label(ctx, event.unit_code) if event.unit_code else t("web.level.central"),
        "rating": event.rating or "",
    }
    what = t(f"history.{event.kind}", **params)
    if with_text and event.text and event.kind != FeedbackEventKind.CREATED:
        # a sentence: an official's note on a change follows it; what someone said is quoted
        noted = event.kind in NOTED_KINDS and event.actor_role != REPORTER
        what = t("history.with_note" if noted else "history.with_text", what=what,
                 text=excerpt(event.text, 500))
    return what


def _photo_replies(t: Translator, code: str, photos: Sequence[FeedbackPhoto]) -> list[Reply]:
    return [PhotoReply(photo.path, caption=t("fbcard.photo", code=code, number=index,
                                             count=len(photos)))
            for index, photo in enumerate(photos, start=1)]


def _voice_replies(t: Translator, code: str, voices: Sequence[FeedbackVoice]) -> list[Reply]:
    """The sender's voice notes, each as the clean file (no tags; its caption names the
    feedback, never who sent it)."""
    return [VoiceReply(voice.path, caption=t("fbcard.voice", code=code, number=index,
                                             count=len(voices),
                                             length=length(voice.duration_seconds)),
                       duration_seconds=voice.duration_seconds)
            for index, voice in enumerate(voices, start=1)]


# -- practices ------------------------------------------------------------------------------


def practice_line(ctx: Context, t: Translator, practice: Practice, number: int) -> str:
    commune = ctx.units.get(practice.commune_code)
    return t("inbox.practice_line", number=number, code=practice.code,
             status=t(f"status.practice.{practice.status}"), title=excerpt(practice.title, 80),
             place=commune.name if commune else practice.commune_code,
             when=when(ctx, practice.updated_at))


_PRACTICE_TEXT_FIELDS = ("description", "clear_who", "clear_what", "clear_when",
                         "clear_responsibility", "clear_product", "clear_authority", "results")


def practice_card(ctx: Context, t: Translator, practice: Practice,
                  events: Sequence[PracticeEvent], photos: Sequence[PracticePhoto],
                  actors: Mapping[int, Person], recognitions: Sequence[Recognition],
                  consensus: Consensus) -> tuple[list[Reply], str]:
    kind_key = ("option.collective_type" if practice.submitter_kind == "collective"
                else "option.individual_type")
    lines = [
        t("prcard.title", code=practice.code, title=practice.title),
        t("prcard.status", status=t(f"status.practice.{practice.status}")),
        t("prcard.submitter", name=practice.submitter_name,
          kind=t(f"{kind_key}.{practice.submitter_type}")),
        t("prcard.field", field=t(f"option.field.{practice.field}")),
        t("prcard.place", village=practice.village, place=unit_label(ctx, practice.commune_code)),
        t("prcard.people", count=grouped(practice.people_mobilised)),
    ]
    if practice.organisations_taking_part is not None:
        lines.append(t("prcard.organisations", count=grouped(practice.organisations_taking_part)))
    lines += contribution_lines(t, practice)
    if link := map_link(practice.latitude, practice.longitude):
        lines.append(t("fbcard.map", link=link))
    lines += [recognition_line(ctx, t, recognition) for recognition in recognitions]
    if consensus.votes:
        lines.append(t("prcard.consensus", agree=consensus.agree, disagree=consensus.disagree,
                       mean=f"{consensus.mean_satisfaction:.1f}", votes=consensus.votes))
    if practice_voice(practice):
        lines.append(t("fbcard.voices", count=1))
    lines.append("")
    for name in _PRACTICE_TEXT_FIELDS:
        lines.append(f"• {t(f'practice.{name}.label')}: {excerpt(getattr(practice, name), 600)}")
    lines += ["", t("fbcard.history"),
              t("prhistory.submitted", when=when(ctx, practice.created_at))]
    for event in events:
        actor = official_label(ctx, t, actors.get(event.actor_id))
        if event.kind in ("resubmitted", "withdrawn"):
            actor = t("prcard.leader")
        lines.append(f"• {when(ctx, event.created_at)} — {actor}: "
                     + practice_event_what(t, event))
    replies: list[Reply] = [
        PhotoReply(photo.path, caption=t("fbcard.photo", code=practice.code, number=index,
                                         count=len(photos)))
        for index, photo in enumerate(photos, start=1)]
    if note := practice_voice(practice):
        replies.append(VoiceReply(note["path"], caption=t(
            "fbcard.voice", code=practice.code, number=1, count=1,
            length=length(note.get("duration_seconds"))),
            duration_seconds=note.get("duration_seconds")))
    return replies, "\n".join(lines)


def contribution_lines(t: Translator, practice: Practice) -> list[str]:
    """Workdays, money (said in words too, as the form confirmed it) and other contributions:
    what residents gave is a measure of how well they were mobilised."""
    lines = []
    if practice.contribution_workdays is not None:
        lines.append(t("prcard.workdays", count=grouped(practice.contribution_workdays)))
    if practice.contribution_money_vnd is not None:
        lines.append(t("prcard.money", amount=money_text(t, practice.contribution_money_vnd)))
    if practice.contribution_other:
        lines.append(t("prcard.other", text=excerpt(practice.contribution_other, 500)))
    return [t("prcard.contributions"), *lines] if lines else [t("prcard.no_contributions")]


def money_text(t: Translator, amount: int) -> str:
    """ "200.000.000 đồng (hai trăm triệu đồng)"."""
    return t("money.amount", amount=grouped(amount), words=in_words(amount))


def practice_voice(practice: Practice) -> dict[str, Any] | None:
    """The voice note its leader gave as the description, kept among its answers."""
    note = (practice.answers or {}).get(PRACTICE_VOICE)
    return note if isinstance(note, dict) and note.get("path") else None


def practice_event_what(t: Translator, event: PracticeEvent) -> str:
    what = t(f"prhistory.{event.kind}")
    if event.field_names:
        what += " " + t("prhistory.fields", fields=field_labels(t, event.field_names))
    if event.note:
        what += f" «{excerpt(event.note, 500)}»"
    return what


def field_labels(t: Translator, names: Sequence[str]) -> str:
    return ", ".join(t(f"practice.{name}.label") for name in names)


def sender_line(t: Translator, feedback: Feedback) -> str:
    """Who sent a feedback, as officials see it: for an anonymous one, only that it is."""
    return _sender_line(t, feedback)
