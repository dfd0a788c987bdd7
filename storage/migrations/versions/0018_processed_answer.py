"""processed updates: the answer a web chat action got, for a retry that lost it

Revision ID: 0018_processed_answer
Revises: 0017_consent
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018_processed_answer'
down_revision: str | None = '0017_consent'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('processedupdate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('processedupdate', schema=None) as batch_op:
        batch_op.drop_column('answer')
