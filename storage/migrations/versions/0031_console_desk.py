"""console desk: internal notes, reply templates per unit, assignment to a colleague

Revision ID: 0031_console_desk
Revises: 0030_console_sessions
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0031_console_desk'
down_revision: str | None = '0030_console_sessions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'consolenote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_kind', String(length=16), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', String(length=2000), nullable=False),
        sa.Column('created_at', When(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_consolenote_record', 'consolenote', ['record_kind', 'record_id'],
                    unique=False)
    op.create_table(
        'replytemplate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_code', String(length=16), nullable=True),
        sa.Column('title', String(length=100), nullable=False),
        sa.Column('text', String(length=2000), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', When(), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_replytemplate_unit_code'), 'replytemplate', ['unit_code'],
                    unique=False)
    op.create_table(
        'assignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_kind', String(length=16), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('assignee_id', sa.Integer(), nullable=False),
        sa.Column('assigned_by', sa.Integer(), nullable=False),
        sa.Column('assigned_at', When(), nullable=False),
        sa.ForeignKeyConstraint(['assigned_by'], ['person.id'], ),
        sa.ForeignKeyConstraint(['assignee_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('record_kind', 'record_id'),
    )
    op.create_index(op.f('ix_assignment_assignee_id'), 'assignment', ['assignee_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_assignment_assignee_id'), table_name='assignment')
    op.drop_table('assignment')
    op.drop_index(op.f('ix_replytemplate_unit_code'), table_name='replytemplate')
    op.drop_table('replytemplate')
    op.drop_index('ix_consolenote_record', table_name='consolenote')
    op.drop_table('consolenote')
