"""channel accounts: the role their chat's command menu was last set to

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('channelaccount', schema=None) as batch_op:
        batch_op.add_column(sa.Column('menu_role', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('channelaccount', schema=None) as batch_op:
        batch_op.drop_column('menu_role')
