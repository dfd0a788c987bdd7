"""feedback followers: people who follow a feedback instead of sending a duplicate; merged
duplicates; pg_trgm for similar texts on PostgreSQL

Revision ID: 0025_feedback_followers
Revises: 0024_practice_organisations
Create Date: 2026-12-04
"""
import logging
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0025_feedback_followers'
down_revision: str | None = '0024_practice_organisations'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    op.create_table(
        'feedbackfollower',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('from_feedback_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('feedback_id', 'person_id'),
    )
    with op.batch_alter_table('feedbackfollower', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedbackfollower_feedback_id'), ['feedback_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_feedbackfollower_person_id'), ['person_id'],
                              unique=False)
    # A plain ALTER TABLE … ADD COLUMN: a batch copy of `feedback` would drop a table other
    # tables' foreign keys point at.
    op.add_column('feedback', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    _try_pg_trgm()


def _try_pg_trgm() -> None:
    """Similar texts on PostgreSQL (storage/repositories/duplicates.py). Creating an extension
    needs a privilege the database's user may lack: then the search compares texts in Python,
    as on SQLite, and the migration goes on."""
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    except sa.exc.DBAPIError as error:
        log.warning('pg_trgm could not be created; similar texts are compared in Python (%s)',
                    type(error.orig).__name__)


def downgrade() -> None:
    # The extension stays: other objects of the database may use it.
    op.drop_column('feedback', 'merged_into_id')
    with op.batch_alter_table('feedbackfollower', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedbackfollower_person_id'))
        batch_op.drop_index(batch_op.f('ix_feedbackfollower_feedback_id'))
    op.drop_table('feedbackfollower')
