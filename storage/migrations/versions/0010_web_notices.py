"""web notices: what the outbox delivered to a web chat, until the chat's page shows it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('webnotice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webnotice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webnotice_chat_id'), ['chat_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webnotice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webnotice_chat_id'))
    op.drop_table('webnotice')
