"""The report's sheet of assessments against the criteria: for each practice of the period and
each criterion, the submitter's own answer beside each official level's (the latest of each),
with the criteria's version, then the officials' comments. The same data as the officials'
card (handlers/officials/assessment_view.py), for Excel."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from handlers import criteria_questions as questions
from handlers.criteria import Criterion, from_snapshot
from handlers.i18n import Translator
from handlers.officials.assessment_view import columns
from storage.models import AssessmentKind, Level, PracticeAssessment
from storage.repositories.reports import PracticeRow

LEVELS = (Level.COMMUNE, Level.PROVINCE, Level.CENTRAL)
Table = Callable[..., None]


def header(t: Translator) -> tuple[str, ...]:
    return (t("report.col.code"), t("report.col.title"), t("report.col.criterion"),
            t("report.col.self_assessment"),
            *(t("report.col.official_assessment", level=t(f"level.{lv}")) for lv in LEVELS),
            t("report.col.criteria_version"))


def rows(t: Translator, practices: Sequence[PracticeRow],
         assessments: Mapping[int, Sequence[PracticeAssessment]]) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = []
    for practice in practices:
        shown = columns(assessments.get(practice.id, ()))
        if not shown:
            continue
        own = next((a for a in shown if a.kind == AssessmentKind.SELF), None)
        by_level = {a.level: a for a in shown if a.kind == AssessmentKind.REVIEW}
        criteria: dict[str, Criterion] = {}
        for column in shown:
            for criterion in from_snapshot(column.criteria):
                criteria.setdefault(criterion.code, criterion)
        versions = "; ".join(dict.fromkeys(a.criteria_version for a in shown))
        for criterion in criteria.values():
            found.append((practice.code, practice.title,
                          criterion.text.in_language(t.language),
                          _value(t, criterion, own),
                          *(_value(t, criterion, by_level.get(lv)) for lv in LEVELS),
                          versions))
        comments = [by_level[lv].comment if lv in by_level else None for lv in LEVELS]
        if any(comments):
            found.append((practice.code, practice.title, t("report.row.assessment_comment"),
                          "", *(comment or "" for comment in comments), versions))
    return found


def _value(t: Translator, criterion: Criterion, assessment: PracticeAssessment | None) -> str:
    if assessment is None or criterion.code not in assessment.scores:
        return ""
    return questions.value_text(t, criterion, assessment.scores[criterion.code])
