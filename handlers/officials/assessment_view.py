"""The officials' card shows a practice's assessments side by side: one line per criterion,
the submitter's own answer first, then each official level's (its latest), and the officials'
comments. Officials only: none of this reaches a public page."""

from __future__ import annotations

from collections.abc import Sequence

from handlers import criteria_questions as questions
from handlers.criteria import Criterion, from_snapshot
from handlers.i18n import Translator
from storage.models import AssessmentKind, PracticeAssessment

MISSING = "·"


def columns(assessments: Sequence[PracticeAssessment]) -> list[PracticeAssessment]:
    """The latest self-assessment, then the latest assessment of each official level, in the
    order the levels first assessed."""
    latest: dict[tuple[str, str], PracticeAssessment] = {}
    for row in assessments:  # oldest first: a later one replaces an earlier one in place
        key = (row.kind, "" if row.kind == AssessmentKind.SELF else row.level)
        latest[key] = row
    own = [row for key, row in latest.items() if key[0] == AssessmentKind.SELF]
    return own + [row for key, row in latest.items() if key[0] != AssessmentKind.SELF]


def heading(t: Translator, row: PracticeAssessment) -> str:
    if row.kind == AssessmentKind.SELF:
        return t("prcard.assess_self")
    return t("prcard.assess_by", level=t(f"level.{row.level}"))


def section(t: Translator, assessments: Sequence[PracticeAssessment]) -> list[str]:
    """The lines of the card's assessment section; none when nobody assessed."""
    shown = columns(assessments)
    if not shown:
        return []
    rows: dict[str, Criterion] = {}
    for column in shown:
        for criterion in from_snapshot(column.criteria):
            rows.setdefault(criterion.code, criterion)
    lines = [t("prcard.assess_title", columns=" │ ".join(heading(t, c) for c in shown))]
    for code, criterion in rows.items():
        values = [questions.value_text(t, criterion, column.scores[code])
                  if code in column.scores else MISSING for column in shown]
        lines.append(f"• {criterion.text.in_language(t.language)}: {' │ '.join(values)}")
    for column in shown:
        if column.comment:
            lines.append(t("prcard.assess_comment", who=heading(t, column),
                           comment=column.comment))
    return lines


def with_section(t: Translator, card_text: str,
                 assessments: Sequence[PracticeAssessment]) -> str:
    """The card's text with the assessments before its history (after the practice's own
    fields), or at the end when the card has no history heading."""
    lines = section(t, assessments)
    if not lines:
        return card_text
    block = "\n".join(lines)
    marker = "\n\n" + t("fbcard.history")
    before, found, after = card_text.partition(marker)
    if not found:
        return f"{card_text}\n\n{block}"
    return f"{before}\n\n{block}{marker}{after}"
