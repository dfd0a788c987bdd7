"""leader lease: the leader's term, and the outbox's fencing token and on-the-wire mark

Revision ID: 0019_leader_lease
Revises: 0018_processed_answer
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0019_leader_lease'
down_revision: str | None = '0018_processed_answer'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'leaderlease',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('epoch', sa.Integer(), nullable=False),
        sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('acquired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_epoch', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('wire_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_column('wire_at')
        batch_op.drop_column('claim_epoch')
    op.drop_table('leaderlease')
