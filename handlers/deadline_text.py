"""How a deadline of the evaluation calendar reads: in `/deadlines` and in the reminders the
scheduler sends, so it lives with the flows, below the scheduler."""

from __future__ import annotations

from datetime import date

from handlers.i18n import Translator
from storage.models import Deadline
from storage.units import UnitDirectory


def describe_deadline(t: Translator, deadline: Deadline, units: UnitDirectory) -> str:
    """"Evaluation · commune level, Phường X" for lists and reminders."""
    scope = t("deadline.scope.all")
    if deadline.scope_code:
        unit = units.get(deadline.scope_code)
        scope = unit.label if unit else deadline.scope_code
    return t("deadline.describe", kind=t(f"deadline.kind.{deadline.kind}"),
             level=t(f"deadline.level.{deadline.level}"), scope=scope)


def when_text(t: Translator, due: date, today: date) -> str:
    left = (due - today).days
    if left <= 0:
        return t("deadline.left.today")
    if left == 1:
        return t("deadline.left.tomorrow")
    return t("deadline.left.days", days=left)
