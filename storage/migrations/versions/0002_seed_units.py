"""Seed administrative units (34 provinces, 3,321 communes) from vietnam-provinces.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.units import UnitDirectory

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_unit = sa.table(
    "unit",
    sa.column("code", sa.String), sa.column("name", sa.String), sa.column("kind", sa.String),
    sa.column("division_type", sa.String), sa.column("province_code", sa.String),
    sa.column("search_key", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(_unit, list(UnitDirectory.from_package().rows()))


def downgrade() -> None:
    op.execute(_unit.delete())
