"""practice.organisations_taking_part: the organisations taking part, apart from the people

Revision ID: 0024_practice_organisations
Revises: 0023_announcements
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024_practice_organisations'
down_revision: str | None = '0023_announcements'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisations_taking_part', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_column('organisations_taking_part')
