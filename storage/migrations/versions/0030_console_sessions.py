"""console sessions: one-time sign-in links and sessions of the officials' web console

Revision ID: 0030_console_sessions
Revises: 0029_living_practices
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0030_console_sessions'
down_revision: str | None = '0029_living_practices'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ('consolesigninlink', 'consolesession'):
        extra = ([sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
                  sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)]
                 if table == 'consolesigninlink' else
                 [sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                            nullable=False)])
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64),
                      nullable=False),
            sa.Column('person_id', sa.Integer(), nullable=False),
            sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
            sa.PrimaryKeyConstraint('id'),
            sa.UniqueConstraint('token_hash'),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_person_id'), ['person_id'],
                                  unique=False)


def downgrade() -> None:
    for table in ('consolesession', 'consolesigninlink'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_person_id'))
        op.drop_table(table)
