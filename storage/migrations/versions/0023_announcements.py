"""announcements: officials' messages to the followers of their jurisdiction

Revision ID: 0023_announcements
Revises: 0022_follows
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0023_announcements'
down_revision: str | None = '0022_follows'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'announcement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('audience', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('photo_path', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_author_id'), ['author_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_announcement_unit_code'), ['unit_code'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_unit_code'))
        batch_op.drop_index(batch_op.f('ix_announcement_author_id'))
    op.drop_table('announcement')
