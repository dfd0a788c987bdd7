"""What the API answers, checked against what /api/openapi.json says it answers: a record with
every part of a practice's cycle (assessments, consultations, recognitions, updates) must fit
the published schema, so the description cannot fall behind the data."""

from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS31Validator


def assert_fits(document: dict[str, Any], model: str, record: dict[str, Any]) -> None:
    """`record` is valid against `#/components/schemas/<model>` of the OpenAPI `document`."""
    schema = {"$ref": f"#/components/schemas/{model}", "components": document["components"]}
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in OAS31Validator(schema).iter_errors(record)]
    assert not errors, errors
