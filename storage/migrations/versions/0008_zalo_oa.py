"""zalo oa: the Official Account's OAuth token pair (single-use refresh token)

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('zalooatoken',
    sa.Column('app_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('access_token', sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
    sa.Column('access_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('refresh_token', sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
    sa.Column('refresh_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('seed_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('problem_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('refreshed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('app_id')
    )


def downgrade() -> None:
    op.drop_table('zalooatoken')
