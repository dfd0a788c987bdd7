"""Submit a practice (gửi mô hình, cách làm "Dân vận khéo").

The conversation, top to bottom: who submits (a collective or an individual, its type and
name), the field, title, description, the "6 rõ", people and contributions mobilised, results,
the place (commune, village, map pin), 1–10 photos; then a summary to check, and a receipt.
Diagram: `submit_practice.mmd`.
"""

from __future__ import annotations

from typing import Any

from handlers import self_assessment
from handlers.clock import to_db
from handlers.commands import Command
from handlers.context import Context
from handlers.flow import FormFlow
from handlers.forms import Form
from handlers.officials import notices
from handlers.practice_form import PRACTICE_FORM
from handlers.replies import Reply, TextReply
from storage.models import Practice, id_of
from storage.repositories import practices

_COLUMNS = (
    "submitter_name", "field", "title", "description", "clear_who", "clear_what", "clear_when",
    "clear_responsibility", "clear_product", "clear_authority", "people_mobilised",
    "organisations_taking_part",
    "people_groups", "contribution_workdays", "contribution_money_vnd", "contribution_other",
    "results", "village", "priority_task", "difficult_area",
)


async def submit(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    """Turn confirmed answers into a stored practice and hand back the receipt."""
    commune = ctx.units.get(answers["commune"])
    assert commune is not None
    location = answers.get("location") or {}
    now = ctx.now
    columns: dict[str, Any] = {name: answers.get(name) for name in _COLUMNS}
    practice = Practice(
        submitter_id=id_of(ctx.person),
        submitter_kind=answers["submitter_kind"],
        submitter_type=answers.get("collective_type") or answers.get("individual_type") or "",
        commune_code=commune.code,
        province_code=commune.province_code,
        latitude=location.get("lat"),
        longitude=location.get("lon"),
        answers=answers,
        created_at=to_db(now),
        updated_at=to_db(now),
        **columns,
    )
    stored = await practices.create_practice(
        ctx.session, practice=practice, photos=answers["photos"], year=ctx.local(now).year,
        video=answers.get("video"),
    )
    await self_assessment.store(ctx, stored)
    officials = await notices.practice_to_officials(ctx, stored, "new", 0)
    key = "practice.receipt" if officials else "practice.receipt_unassigned"
    return [TextReply(ctx.t(key, code=stored.code, title=stored.title))]


def build_flow(form: Form = PRACTICE_FORM) -> FormFlow:
    return self_assessment.AssessedPracticeFlow("practice", form, submit)


COMMANDS = [Command("submit", aliases=("mohinh",), flow="practice", menu=True)]
