"""criteria: the sets communes and provinces import, and practices' assessments against
criteria (the submitter's own, officials')

Revision ID: 0032_criteria
Revises: 0031_console_desk
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0032_criteria'
down_revision: str | None = '0031_console_desk'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'criteriaset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('imported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_code', 'version'),
    )
    with op.batch_alter_table('criteriaset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criteriaset_unit_code'), ['unit_code'],
                              unique=False)
    op.create_table(
        'practiceassessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('assessor_id', sa.Integer(), nullable=False),
        sa.Column('practice_status', sqlmodel.sql.sqltypes.AutoString(length=24),
                  nullable=False),
        sa.Column('criteria_version', sqlmodel.sql.sqltypes.AutoString(length=200),
                  nullable=False),
        sa.Column('criteria', sa.JSON(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assessor_id'], ['person.id'], ),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('practiceassessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practiceassessment_practice_id'), ['practice_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('practiceassessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practiceassessment_practice_id'))
    op.drop_table('practiceassessment')
    with op.batch_alter_table('criteriaset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criteriaset_unit_code'))
    op.drop_table('criteriaset')
