"""Periodic reports: an XLSX workbook of one jurisdiction and period, for officials and Excel.

Sheets (headers in Vietnamese, whatever the reader's language): a summary; practices by field
and status; practices by level (the highest level each is recognised at); the recognitions of
the period; feedback by category and status; and the lists behind those numbers. Feedback is
never shown with more than its sender chose: anonymous feedback stays "Ẩn danh", and no phone
number or account ever appears.

Every 6-month and annual report date of the calendar sends each official of its scope the
report of their own jurisdiction (`PeriodicReports`); `/report [period]` asks for one at any
time (scheduler/ondemand_reports.py). Both are built in a child process
(scheduler/report_process.py).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.abuse import flags as abuse_flags
from handlers.clock import to_db
from handlers.i18n import Translator
from handlers.numbers import in_words
from handlers.periods import Period, jurisdiction_label, months_before
from handlers.replies import DocumentReply, to_payload
from scheduler import report_assessments
from scheduler.calendar import QuietHours
from storage.db import Database
from storage.media import MediaStore
from storage.models import DeadlineKind, Level, Person, PracticeAssessment
from storage.repositories import criteria as criteria_repo
from storage.repositories import reminders as reminders_repo
from storage.repositories import reports as reports_repo
from storage.repositories.officials import Scope, scope_of
from storage.repositories.reports import (
    ConsultationRow,
    FeedbackRow,
    PracticeRow,
    RecognitionRow,
)
from storage.units import UnitDirectory

REPORTS_DIR = "reports"  # under MEDIA_DIR, so channels send the file like any other document
LEVEL_ORDER = (Level.CENTRAL, Level.PROVINCE, Level.COMMUNE)
NOT_RECOGNISED = "none"
RESOLVED = "resolved"


# -- periods ---------------------------------------------------------------------------------


def period_for_deadline(kind: str, due: date) -> Period:
    """The period a report due on `due` covers: the 6 or 12 months ending that day."""
    return Period(months_before(due, 6 if kind == DeadlineKind.REPORT_6M else 12), due)


# -- figures ---------------------------------------------------------------------------------


@dataclass
class ReportData:
    scope: Scope
    period: Period
    practices: Sequence[PracticeRow]
    practice_levels: dict[int, str]
    """Each practice's highest recognition level, or "none"."""
    recognitions: Sequence[RecognitionRow]
    feedback: Sequence[FeedbackRow]
    assessments: dict[int, list[PracticeAssessment]] = field(default_factory=dict)
    """Each practice's assessments against the criteria (scheduler/report_assessments.py)."""
    consultations: Sequence[ConsultationRow] = ()


@dataclass
class ReportFigures:
    practices_total: int
    practices_by_field: dict[str, Counter[str]] = field(default_factory=dict)
    """field -> status -> count"""
    practices_by_level: Counter[str] = field(default_factory=Counter)
    recognitions_by_level: Counter[str] = field(default_factory=Counter)
    feedback_total: int = 0
    feedback_by_category: dict[str, Counter[str]] = field(default_factory=dict)
    feedback_resolved: int = 0
    median_first_answer_hours: float | None = None
    median_resolution_hours: float | None = None
    mean_satisfaction: float | None = None
    ratings: Counter[int] = field(default_factory=Counter)


def compute(data: ReportData) -> ReportFigures:
    figures = ReportFigures(practices_total=len(data.practices))
    by_field: dict[str, Counter[str]] = defaultdict(Counter)
    for practice in data.practices:
        by_field[practice.field][practice.status] += 1
        figures.practices_by_level[data.practice_levels.get(practice.id, NOT_RECOGNISED)] += 1
    figures.practices_by_field = dict(by_field)
    figures.recognitions_by_level = Counter(r.level for r in data.recognitions)
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    for item in data.feedback:
        by_category[item.category][item.status] += 1
    figures.feedback_by_category = dict(by_category)
    figures.feedback_total = len(data.feedback)
    figures.feedback_resolved = sum(1 for f in data.feedback if f.status == RESOLVED)
    answered = [_hours(f.first_answered_at - f.created_at)
                for f in data.feedback if f.first_answered_at]
    resolved = [_hours(f.resolved_at - f.created_at) for f in data.feedback if f.resolved_at]
    figures.median_first_answer_hours = round(median(answered), 1) if answered else None
    figures.median_resolution_hours = round(median(resolved), 1) if resolved else None
    figures.ratings = Counter(f.satisfaction for f in data.feedback if f.satisfaction)
    count = sum(figures.ratings.values())
    if count:
        total = sum(score * n for score, n in figures.ratings.items())
        figures.mean_satisfaction = round(total / count, 2)
    return figures


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


async def gather(session, *, scope: Scope, period: Period, tz: ZoneInfo) -> ReportData:  # noqa: ANN001
    start, end = period.bounds(tz)
    practices = await reports_repo.practices(session, scope=scope, start=start, end=end)
    levels = await reports_repo.recognition_levels(
        session, practice_ids=[p.id for p in practices])
    highest = {pid: next(lv for lv in LEVEL_ORDER if lv in found) for pid, found in levels.items()
               if any(lv in found for lv in LEVEL_ORDER)}
    return ReportData(
        scope=scope, period=period, practices=practices, practice_levels=highest,
        recognitions=await reports_repo.recognitions(session, scope=scope, start=start, end=end),
        feedback=await reports_repo.feedback(session, scope=scope, start=start, end=end),
        assessments=await criteria_repo.assessments_of_many(
            session, [p.id for p in practices]),
        consultations=await reports_repo.consultations(session, scope=scope, start=start,
                                                       end=end))


# -- the workbook ----------------------------------------------------------------------------


def write_workbook(data: ReportData, figures: ReportFigures, path: Path, *,
                   units: UnitDirectory, tz: ZoneInfo, generated_at: datetime) -> Path:
    """Write the workbook (blocking: run it in a thread)."""
    # openpyxl is imported here, not at the top: it costs a worker ~20 MB (it loads numpy when
    # installed), and only the report process (scheduler/report_process.py) writes workbooks.
    from openpyxl import Workbook

    t = Translator("vi")
    book = Workbook()
    summary = book.active
    summary.title = t("report.sheet.summary")
    rows: list[tuple[str, object]] = [
        (t("report.row.jurisdiction"), jurisdiction_label(t, data.scope, units)),
        (t("report.row.period"), data.period.label()),
        (t("report.row.generated"), generated_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")),
        (t("report.row.practices"), figures.practices_total),
        (t("report.row.recognitions"), sum(figures.recognitions_by_level.values())),
        (t("report.row.feedback"), figures.feedback_total),
        (t("report.row.feedback_resolved"), figures.feedback_resolved),
        (t("report.row.median_first_answer"), _blank(figures.median_first_answer_hours)),
        (t("report.row.median_resolution"), _blank(figures.median_resolution_hours)),
        (t("report.row.satisfaction"), _blank(figures.mean_satisfaction)),
        (t("report.row.ratings"), sum(figures.ratings.values())),
    ]
    _table(summary, (t("report.col.item"), t("report.col.value")), rows)

    statuses = sorted({s for c in figures.practices_by_field.values() for s in c})
    _crosstab(book.create_sheet(t("report.sheet.practices_by_field")), t("report.col.field"),
              figures.practices_by_field, statuses,
              row_label=lambda v: _label(t, f"option.field.{v}", v),
              col_label=lambda s: _label(t, f"status.practice.{s}", s), total=t("report.total"))
    levels = [str(lv) for lv in LEVEL_ORDER] + [NOT_RECOGNISED]
    _table(book.create_sheet(t("report.sheet.practices_by_level")),
           (t("report.col.level"), t("report.col.count")),
           [(_label(t, f"deadline.level.{lv}", lv) if lv != NOT_RECOGNISED
             else t("report.not_recognised"), figures.practices_by_level.get(lv, 0))
            for lv in levels])
    _table(book.create_sheet(t("report.sheet.recognitions")),
           (t("report.col.code"), t("report.col.title"), t("report.col.level"),
            t("report.col.unit"), t("report.col.date"), t("report.col.cycle_year"),
            t("report.col.decision_number"), t("report.col.decision_date"),
            t("report.col.consultation")),
           [(r.practice_code, r.practice_title, _label(t, f"deadline.level.{r.level}", r.level),
             _unit(units, r.unit_code), r.recognised_at.astimezone(tz).strftime("%d/%m/%Y"),
             _blank(r.year), r.decision_number or "",
             r.decision_date.strftime("%d/%m/%Y") if r.decision_date else "",
             _consultation_text(t, r.consultation)) for r in data.recognitions])
    _table(book.create_sheet(t("report.sheet.consultations")),
           (t("report.col.code"), t("report.col.title"), t("report.col.commune"),
            t("report.col.opened"), t("report.col.closed"), t("report.col.invited"),
            t("report.col.votes"), t("report.col.agree"), t("report.col.disagree"),
            t("report.col.satisfaction"), t("report.col.comments")),
           [(c.practice_code, c.practice_title, _unit(units, c.commune_code),
             c.opened_at.astimezone(tz).strftime("%d/%m/%Y"),
             c.closed_at.astimezone(tz).strftime("%d/%m/%Y"), c.invited, c.votes, c.agree,
             c.votes - c.agree, _blank(c.satisfaction_avg), " | ".join(c.comments))
            for c in data.consultations])
    categories_statuses = sorted({s for c in figures.feedback_by_category.values() for s in c})
    _crosstab(book.create_sheet(t("report.sheet.feedback_by_category")),
              t("report.col.category"), figures.feedback_by_category, categories_statuses,
              row_label=lambda v: _label(t, f"option.category.{v}", v),
              col_label=lambda s: _label(t, f"status.feedback.{s}", s), total=t("report.total"))
    _table(book.create_sheet(t("report.sheet.practice_list")),
           (t("report.col.code"), t("report.col.title"), t("report.col.field"),
            t("report.col.status"), t("report.col.level"), t("report.col.commune"),
            t("report.col.submitter"), t("report.col.date"), t("report.col.people"),
            t("report.col.organisations"), t("report.col.workdays"), t("report.col.money"),
            t("report.col.money_words"), t("report.col.other_contribution")),
           [(p.code, p.title, _label(t, f"option.field.{p.field}", p.field),
             _label(t, f"status.practice.{p.status}", p.status),
             t("report.not_recognised") if data.practice_levels.get(p.id) is None
             else _label(t, f"deadline.level.{data.practice_levels[p.id]}",
                         data.practice_levels[p.id]),
             _unit(units, p.commune_code), p.submitter_name,
             p.created_at.astimezone(tz).strftime("%d/%m/%Y"), p.people_mobilised,
             _blank(p.organisations_taking_part), _blank(p.contribution_workdays),
             _blank(p.contribution_money_vnd),
             "" if p.contribution_money_vnd is None
             else f"{in_words(p.contribution_money_vnd)} đồng",
             p.contribution_other or "") for p in data.practices])
    _table(book.create_sheet(t("report.sheet.feedback_list")),
           (t("report.col.code"), t("report.col.category"), t("report.col.status"),
            t("report.col.commune"), t("report.col.sender"), t("report.col.date"),
            t("report.col.first_answer_hours"), t("report.col.resolution_hours"),
            t("report.col.satisfaction"), t("report.col.warnings")),
           [(f.code, _label(t, f"option.category.{f.category}", f.category),
             _label(t, f"status.feedback.{f.status}", f.status), _unit(units, f.commune_code),
             f.named_sender or t("report.anonymous"),
             f.created_at.astimezone(tz).strftime("%d/%m/%Y"),
             _blank(round(_hours(f.first_answered_at - f.created_at), 1)
                    if f.first_answered_at else None),
             _blank(round(_hours(f.resolved_at - f.created_at), 1) if f.resolved_at else None),
             _blank(f.satisfaction),
             # flagged, never left out: officials decide (handlers/abuse/flags.py)
             "; ".join(abuse_flags.describe(t, kind, detail) for kind, detail in f.flags))
            for f in data.feedback])
    _table(book.create_sheet(t("report.sheet.assessments")), report_assessments.header(t),
           report_assessments.rows(t, data.practices, data.assessments))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _consultation_text(t: Translator, consultation: ConsultationRow | None) -> str:
    if consultation is None:
        return t("report.no_consultation")
    return t("report.consultation", agree=consultation.agree, votes=consultation.votes,
             mean=_blank(consultation.satisfaction_avg))


def _table(sheet, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:  # noqa: ANN001
    from openpyxl.styles import Font  # see write_workbook: only a report process needs it

    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            _as_text(cell)
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1])) for r in rows[:200]])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters a spreadsheet may take as the start of a formula (OWASP, CSV injection)."""


def _as_text(cell) -> None:  # noqa: ANN001
    """Every string in a report is text, never a formula: titles, names and answers come from
    users, and `=HYPERLINK(...)` typed as a practice's title must not run in an official's Excel.
    The cell is stored as a string (openpyxl would store `=…` as a formula) and, when it starts
    like a formula, carries Excel's quote prefix, so editing it keeps it text (OWASP)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True


def _crosstab(sheet, corner: str, counts: dict[str, Counter[str]], columns: Sequence[str], *,  # noqa: ANN001
              row_label, col_label, total: str) -> None:  # noqa: ANN001
    header = [corner] + [col_label(c) for c in columns] + [total]
    rows = [[row_label(key)] + [counts[key].get(c, 0) for c in columns]
            + [sum(counts[key].values())] for key in sorted(counts)]
    rows.append([total] + [sum(counts[k].get(c, 0) for k in counts) for c in columns]
                + [sum(sum(c.values()) for c in counts.values())])
    _table(sheet, header, rows)


def _label(t: Translator, key: str, fallback: str) -> str:
    return t(key) if t.has(key) else fallback


def _unit(units: UnitDirectory, code: str | None) -> str:
    if not code:
        return ""
    unit = units.get(code)
    return unit.label if unit else code


def _blank(value: object) -> object:
    return "" if value is None else value


def report_filename(scope: Scope, period: Period) -> str:
    return f"bao-cao-{scope.unit_code or 'toan-quoc'}-{period.slug}.xlsx"


# -- delivered on the calendar's report dates ------------------------------------------------


class WorkbookBuilder(Protocol):
    """Writes one jurisdiction's workbook for a period (scheduler/report_process.py builds it
    in a child process)."""

    async def build(self, scope: Scope, period: Period, path: Path,
                    generated_at: datetime) -> object: ...


@dataclass
class PeriodicReports:
    """Called for each 6-month or annual report occurrence of the calendar: builds one report
    per jurisdiction among the officials and queues it to each of them."""

    db: Database
    tz: ZoneInfo
    units: UnitDirectory
    media: MediaStore
    """Where the workbooks are kept, so any worker's channel can send them."""
    quiet: QuietHours
    builder: WorkbookBuilder
    """Builds each workbook in a child process (scheduler/report_process.py)."""

    async def __call__(self, occurrence, officials: Sequence[Person], now: datetime) -> int:  # noqa: ANN001
        deadline = occurrence.deadline
        period = period_for_deadline(deadline.kind, deadline.due_date)
        groups: dict[Scope, list[Person]] = defaultdict(list)
        for official in officials:
            scope = scope_of(official)
            if scope is not None:
                groups[scope].append(official)
        queued = 0
        slug = re.sub(r"[^a-z0-9]+", "-", occurrence.key.lower()).strip("-")
        not_before = self.quiet.release(max(now, occurrence.fire_at))
        for scope, people in groups.items():
            relative = f"{REPORTS_DIR}/{slug}-{scope.level}-{scope.unit_code or 'all'}.xlsx"
            target = await asyncio.to_thread(self.media.document_target, relative)
            await self.builder.build(scope, period, target, now)
            await asyncio.to_thread(self.media.keep_document, relative, target)
            async with self.db.session() as session:
                for person in people:
                    t = Translator(person.language)
                    caption = t("report.caption", title=deadline.title,
                                period=period.label(),
                                jurisdiction=jurisdiction_label(t, scope, self.units))
                    reply = DocumentReply(relative, report_filename(scope, period), caption)
                    queued += int(await reminders_repo.schedule(
                        session, key=f"{occurrence.key}:p{person.id}", person_id=person.id,
                        payload=to_payload([reply]), now=to_db(now),
                        not_before=to_db(not_before), expires_at=to_db(occurrence.expires_at)))
                await session.commit()
        return queued
