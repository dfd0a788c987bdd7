"""scheduler: evaluation calendar (seeded for 2026-2030), reminder runs, outbox delivery columns

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-29
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.calendar_seed import default_deadlines

revision: str = '0006'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The seeded calendar belongs to the period: it exists from the period's first day.
SEEDED_AT = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)  # 2026-01-01 00:00 in Viet Nam

_deadline = sa.table(
    "deadline",
    sa.column("level", sa.String), sa.column("scope_code", sa.String),
    sa.column("kind", sa.String), sa.column("title", sa.String), sa.column("due_date", sa.Date),
    sa.column("active", sa.Boolean), sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)


def upgrade() -> None:
    op.create_table('deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('scope_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_scope_code'), ['scope_code'], unique=False)

    op.create_table('reminderrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=True),
    sa.Column('fire_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('processed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('reminderrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminderrun_deadline_id'), ['deadline_id'],
                              unique=False)

    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('quiet_hours', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False,
                                      server_default="0"))

    op.bulk_insert(_deadline, [
        {**row, "active": True, "created_at": SEEDED_AT, "updated_at": SEEDED_AT}
        for row in default_deadlines()
    ])


def downgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_column('parts_sent')
        batch_op.drop_column('quiet_hours')
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('reminderrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminderrun_deadline_id'))

    op.drop_table('reminderrun')
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_scope_code'))
        batch_op.drop_index(batch_op.f('ix_deadline_level'))
        batch_op.drop_index(batch_op.f('ix_deadline_due_date'))

    op.drop_table('deadline')
