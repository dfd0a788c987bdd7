"""practice.contribution_money_vnd as BIGINT: up to 10^12 đồng, beyond a 32-bit INTEGER

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite's INTEGER already holds 64 bits, and changing a column's type there means
    # rebuilding the table, which its foreign keys forbid while rows point at it.
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('practice', 'contribution_money_vnd', type_=sa.BigInteger(),
                        existing_type=sa.Integer(), existing_nullable=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('practice', 'contribution_money_vnd', type_=sa.Integer(),
                        existing_type=sa.BigInteger(), existing_nullable=True)
