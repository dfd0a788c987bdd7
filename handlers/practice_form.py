"""The questions a practice answers, as data: asked by /submit (handlers/submit_practice.py),
edited when an official asks for changes (handlers/officials/changes.py, practice_fix.py),
and the fields the map filters by."""

from __future__ import annotations

from typing import Any

from handlers.forms import FieldSpec, Form, Kind
from storage.models import DIFFICULT_AREAS, PRIORITY_TASKS

COLLECTIVE_TYPES = (
    "village", "residential_group", "work_team", "production_team", "youth_union_branch",
    "association_branch", "self_managed_group", "community_club", "digital_tech_team",
    "overseas_vietnamese_group", "agency", "enterprise", "other",
)
INDIVIDUAL_TYPES = (
    "cadre", "party_member", "civil_servant", "public_employee", "worker", "union_member",
    "association_member", "citizen", "overseas_vietnamese", "foreigner",
)
FIELDS = ("economy", "culture_society", "defence_security", "party_building")

PRACTICE_FORM = Form(
    "practice",
    (
        FieldSpec("submitter_kind", Kind.CHOICE, options=("collective", "individual")),
        FieldSpec("collective_type", Kind.CHOICE, options=COLLECTIVE_TYPES,
                  when=("submitter_kind", "collective")),
        FieldSpec("individual_type", Kind.CHOICE, options=INDIVIDUAL_TYPES,
                  when=("submitter_kind", "individual")),
        FieldSpec("submitter_name", Kind.TEXT, max_length=200, personal=True),
        FieldSpec("field", Kind.CHOICE, options=FIELDS),
        FieldSpec("title", Kind.TEXT, max_length=200),
        FieldSpec("description", Kind.TEXT, max_length=3000, voice=True),
        FieldSpec("clear_who", Kind.TEXT, max_length=500),
        FieldSpec("clear_what", Kind.TEXT, max_length=500),
        FieldSpec("clear_when", Kind.TEXT, max_length=500),
        FieldSpec("clear_responsibility", Kind.TEXT, max_length=500),
        FieldSpec("clear_product", Kind.TEXT, max_length=500),
        FieldSpec("clear_authority", Kind.TEXT, max_length=500),
        FieldSpec("people_mobilised", Kind.NUMBER, max_value=100_000_000),
        FieldSpec("organisations_taking_part", Kind.NUMBER, required=False,
                  max_value=1_000_000),
        FieldSpec("people_groups", Kind.TEXT, required=False, max_length=500),
        FieldSpec("contribution_workdays", Kind.NUMBER, required=False, max_value=100_000_000),
        FieldSpec("contribution_money_vnd", Kind.MONEY, required=False,
                  max_value=1_000_000_000_000),
        FieldSpec("contribution_other", Kind.TEXT, required=False, max_length=500),
        FieldSpec("results", Kind.TEXT, max_length=2000),
        # "Ưu tiên" (the guidance's priorities): shown to reviewers, filterable on the map.
        FieldSpec("priority_task", Kind.CHOICE, required=False, options=PRIORITY_TASKS),
        FieldSpec("difficult_area", Kind.CHOICE, required=False, options=DIFFICULT_AREAS),
        FieldSpec("commune", Kind.UNIT),
        FieldSpec("village", Kind.TEXT, max_length=200),
        FieldSpec("location", Kind.LOCATION, required=False, personal=True),
        FieldSpec("photos", Kind.PHOTOS, min_items=1, max_items=10, personal=True,
                  video=True),
    ),
)


ADDED_LATER = ("priority_task", "difficult_area")
"""Optional questions added after practices were already stored (issue 15): a stored practice
that never saw them counts them as skipped, so editing or revising it does not ask them."""


def stored_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """A stored practice's answers, with questions added since it was sent as skipped."""
    return {**dict.fromkeys(ADDED_LATER), **answers}
