"""processed updates: an index on their age, for housekeeping's deletes

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('processedupdate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processedupdate_processed_at'), ['processed_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('processedupdate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processedupdate_processed_at'))
