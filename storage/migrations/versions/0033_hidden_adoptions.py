"""hidden adoptions: an official may hide a wrong or abusive "nhân rộng" declaration from the
public (when and by whom)

Revision ID: 0033_hidden_adoptions
Revises: 0032_criteria
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0033_hidden_adoptions'
down_revision: str | None = '0032_criteria'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('practicereplication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('hidden_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_practicereplication_hidden_by_person', 'person',
                                    ['hidden_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('practicereplication', schema=None) as batch_op:
        batch_op.drop_constraint('fk_practicereplication_hidden_by_person', type_='foreignkey')
        batch_op.drop_column('hidden_by')
        batch_op.drop_column('hidden_at')
