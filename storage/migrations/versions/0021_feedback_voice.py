"""feedback voice notes: a citizen's voice note with a feedback or an addition

Revision ID: 0021_feedback_voice
Revises: 0020_abuse_flags_and_mutes
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0021_feedback_voice'
down_revision: str | None = '0020_abuse_flags_and_mutes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'feedbackvoice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('mime_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('duration_seconds', sa.Integer(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('platform_file_id', sqlmodel.sql.sqltypes.AutoString(length=255),
                  nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['feedbackevent.id']),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('feedbackvoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedbackvoice_feedback_id'), ['feedback_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feedbackvoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedbackvoice_feedback_id'))
    op.drop_table('feedbackvoice')
