"""follows: people following a commune or a province (weekly digest, announcements)

Revision ID: 0022_follows
Revises: 0021_feedback_voice
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0022_follows'
down_revision: str | None = '0021_feedback_voice'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'follow',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'unit_code'),
    )
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_unit_code'), ['unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_province_code'), ['province_code'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_province_code'))
        batch_op.drop_index(batch_op.f('ix_follow_unit_code'))
        batch_op.drop_index(batch_op.f('ix_follow_person_id'))
    op.drop_table('follow')
