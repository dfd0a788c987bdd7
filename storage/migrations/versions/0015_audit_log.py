"""audit log: an append-only table of officials' and operators' actions

A trigger refuses UPDATE and DELETE on it (on PostgreSQL also TRUNCATE), so no code path, not
even a stray statement from a console session of the application's user, rewrites history.

Revision ID: 0015_audit_log
Revises: 0014
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0015_audit_log'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTGRES_UP = (
    """CREATE FUNCTION auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'auditentry is append-only: % refused', TG_OP;
    END $$""",
    """CREATE TRIGGER auditentry_no_update_delete BEFORE UPDATE OR DELETE ON auditentry
    FOR EACH ROW EXECUTE FUNCTION auditentry_append_only()""",
    """CREATE TRIGGER auditentry_no_truncate BEFORE TRUNCATE ON auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION auditentry_append_only()""",
)
_SQLITE_UP = (
    """CREATE TRIGGER auditentry_no_update BEFORE UPDATE ON auditentry
    BEGIN SELECT RAISE(ABORT, 'auditentry is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER auditentry_no_delete BEFORE DELETE ON auditentry
    BEGIN SELECT RAISE(ABORT, 'auditentry is append-only: DELETE refused'); END""",
)


def upgrade() -> None:
    op.create_table('auditentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('record_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('record_code', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditentry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_province_code'), ['province_code'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_unit_code'), ['unit_code'],
                              unique=False)
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_UP if dialect == "postgresql" else \
            _SQLITE_UP if dialect == "sqlite" else ():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS auditentry_no_truncate ON auditentry")
        op.execute("DROP TRIGGER IF EXISTS auditentry_no_update_delete ON auditentry")
        op.execute("DROP FUNCTION IF EXISTS auditentry_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS auditentry_no_update")
        op.execute("DROP TRIGGER IF EXISTS auditentry_no_delete")
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_unit_code'))
        batch_op.drop_index(batch_op.f('ix_auditentry_province_code'))
        batch_op.drop_index(batch_op.f('ix_auditentry_at'))
        batch_op.drop_index(batch_op.f('ix_auditentry_actor_id'))
        batch_op.drop_index(batch_op.f('ix_auditentry_action'))
    op.drop_table('auditentry')
