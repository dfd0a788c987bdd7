"""abuse: warnings on feedback (spam, rude words) and officials' mutes of a sender

Revision ID: 0020_abuse_flags_and_mutes
Revises: 0019_leader_lease
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0020_abuse_flags_and_mutes'
down_revision: str | None = '0019_leader_lease'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'feedbackflag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('feedbackflag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedbackflag_feedback_id'), ['feedback_id'],
                              unique=False)

    op.create_table(
        'accountmute',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=True),
        sa.Column('muted_by', sa.Integer(), nullable=True),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('lifted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('lifted_by', sa.Integer(), nullable=True),
        sa.Column('told_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ),
        sa.ForeignKeyConstraint(['lifted_by'], ['person.id'], ),
        sa.ForeignKeyConstraint(['muted_by'], ['person.id'], ),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('accountmute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accountmute_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountmute_person_id'), ['person_id'],
                              unique=False)

    op.add_column('person', sa.Column('muted_until', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of `person` would drop a
    # table other tables' foreign keys point at.
    op.drop_column('person', 'muted_until')
    with op.batch_alter_table('accountmute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountmute_person_id'))
        batch_op.drop_index(batch_op.f('ix_accountmute_ends_at'))
    op.drop_table('accountmute')
    with op.batch_alter_table('feedbackflag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedbackflag_feedback_id'))
    op.drop_table('feedbackflag')
