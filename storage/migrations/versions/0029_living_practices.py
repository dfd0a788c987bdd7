"""living practices: updates (a dated timeline, checked by officials), videos with a poster,
replications ("nhân rộng") and feedback resolved by a practice

Revision ID: 0029_living_practices
Revises: 0028_open311
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0029_living_practices'
down_revision: str | None = '0028_open311'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def _media_columns() -> list[sa.Column]:
    return [sa.Column('sha256', S(length=64), nullable=False),
            sa.Column('path', S(length=300), nullable=False),
            sa.Column('mime_type', S(length=64), nullable=False),
            sa.Column('size_bytes', sa.Integer(), nullable=False),
            sa.Column('channel', S(length=16), nullable=False),
            sa.Column('platform_file_id', S(length=255), nullable=True)]


def upgrade() -> None:
    op.create_table(
        'practiceupdate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('text', S(length=2000), nullable=False),
        sa.Column('status', S(length=16), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ),
        sa.ForeignKeyConstraint(['reviewed_by'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('author_id', 'practice_id', 'status'):
        op.create_index(f'ix_practiceupdate_{column}', 'practiceupdate', [column])
    op.create_table(
        'practiceupdatephoto',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        *_media_columns(),
        sa.ForeignKeyConstraint(['update_id'], ['practiceupdate.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_practiceupdatephoto_update_id', 'practiceupdatephoto', ['update_id'])
    op.create_table(
        'practicevideo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=True),
        *_media_columns(),
        sa.Column('poster_path', S(length=300), nullable=False),
        sa.Column('duration_seconds', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ),
        sa.ForeignKeyConstraint(['update_id'], ['practiceupdate.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_practicevideo_practice_id', 'practicevideo', ['practice_id'])
    op.create_index('ix_practicevideo_update_id', 'practicevideo', ['update_id'])
    op.create_table(
        'practicereplication',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('collective_name', S(length=200), nullable=False),
        sa.Column('commune_code', S(length=16), nullable=False),
        sa.Column('province_code', S(length=16), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('practice_id', 'person_id'),
    )
    for column in ('commune_code', 'person_id', 'practice_id'):
        op.create_index(f'ix_practicereplication_{column}', 'practicereplication', [column])
    # A plain ALTER TABLE … ADD COLUMN: a batch copy of `feedback` would drop a table other
    # tables' foreign keys point at.
    op.add_column('feedback', sa.Column('resolved_by_practice_id', sa.Integer(), nullable=True))
    op.create_index('ix_feedback_resolved_by_practice_id', 'feedback',
                    ['resolved_by_practice_id'])


def downgrade() -> None:
    op.drop_index('ix_feedback_resolved_by_practice_id', table_name='feedback')
    op.drop_column('feedback', 'resolved_by_practice_id')
    op.drop_table('practicereplication')
    op.drop_table('practicevideo')
    op.drop_table('practiceupdatephoto')
    op.drop_table('practiceupdate')
