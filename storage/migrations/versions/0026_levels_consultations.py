"""levels and consultations: recognitions keep year, decision and consultation; nominations up
the levels; residents' consultations and their votes; the practice's "Ưu tiên" flags

Revision ID: 0026_levels_consultations
Revises: 0025_feedback_followers
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0026_levels_consultations'
down_revision: str | None = '0025_feedback_followers'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
_WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN: a batch copy would drop tables other foreign keys use.
    op.add_column('recognition', sa.Column('year', sa.Integer(), nullable=True))
    op.add_column('recognition', sa.Column('decision_number', _STR(length=60), nullable=True))
    op.add_column('recognition', sa.Column('decision_date', sa.Date(), nullable=True))
    op.add_column('recognition', sa.Column('consultation_id', sa.Integer(), nullable=True))
    op.add_column('practice', sa.Column('priority_task', _STR(length=16), nullable=True))
    op.add_column('practice', sa.Column('difficult_area', _STR(length=16), nullable=True))
    op.execute("UPDATE recognition SET year = CAST(strftime('%Y', recognised_at) AS INTEGER)"
               if op.get_bind().dialect.name == 'sqlite' else
               "UPDATE recognition SET year = EXTRACT(YEAR FROM recognised_at)::int")

    op.create_table(
        'nomination',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.Column('from_level', _STR(length=16), nullable=False),
        sa.Column('to_level', _STR(length=16), nullable=False),
        sa.Column('target_unit_code', _STR(length=16), nullable=True),
        sa.Column('justification', _STR(length=1000), nullable=False),
        sa.Column('nominated_by', sa.Integer(), nullable=False),
        sa.Column('created_at', _WHEN(), nullable=False),
        sa.Column('decided_at', _WHEN(), nullable=True),
        sa.Column('recognition_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['nominated_by'], ['person.id'], ),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_nomination_practice_id', 'nomination', ['practice_id'])
    op.create_index('ix_nomination_to_level', 'nomination', ['to_level'])
    op.create_index('ix_nomination_target_unit_code', 'nomination', ['target_unit_code'])

    op.create_table(
        'consultation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.Column('commune_code', _STR(length=16), nullable=False),
        sa.Column('opened_by', sa.Integer(), nullable=False),
        sa.Column('opened_at', _WHEN(), nullable=False),
        sa.Column('closes_at', _WHEN(), nullable=False),
        sa.Column('closed_at', _WHEN(), nullable=True),
        sa.Column('invited', sa.Integer(), nullable=False),
        sa.Column('votes', sa.Integer(), nullable=True),
        sa.Column('agree', sa.Integer(), nullable=True),
        sa.Column('satisfaction_avg', sa.Float(), nullable=True),
        sa.Column('comments', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['opened_by'], ['person.id'], ),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_consultation_practice_id', 'consultation', ['practice_id'])
    op.create_index('ix_consultation_commune_code', 'consultation', ['commune_code'])
    op.create_index('ix_consultation_closes_at', 'consultation', ['closes_at'])

    op.create_table(
        'consultationvote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('agrees', sa.Boolean(), nullable=False),
        sa.Column('satisfaction', sa.Integer(), nullable=False),
        sa.Column('comment', _STR(length=500), nullable=True),
        sa.Column('resident_of', _STR(length=16), nullable=True),
        sa.Column('updated_at', _WHEN(), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], ),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('consultation_id', 'person_id'),
    )
    op.create_index('ix_consultationvote_consultation_id', 'consultationvote',
                    ['consultation_id'])
    op.create_index('ix_consultationvote_person_id', 'consultationvote', ['person_id'])


def downgrade() -> None:
    op.drop_table('consultationvote')
    op.drop_table('consultation')
    op.drop_table('nomination')
    for column in ('priority_task', 'difficult_area'):
        with op.batch_alter_table('practice', schema=None) as batch_op:
            batch_op.drop_column(column)
    with op.batch_alter_table('recognition', schema=None) as batch_op:
        for column in ('consultation_id', 'decision_date', 'decision_number', 'year'):
            batch_op.drop_column(column)
