"""report requests: an official's /report, built in the background and sent by the outbox

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reportrequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reportrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reportrequest_person_id'), ['person_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_reportrequest_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reportrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reportrequest_status'))
        batch_op.drop_index(batch_op.f('ix_reportrequest_person_id'))
    op.drop_table('reportrequest')
