"""public map version: a counter the database moves when what the public map shows may change

Triggers bump it on every insert, update or delete of a practice that is or was public
(approved, recognised) and of any recognition, so each worker's cached map answers
(bot/web/map_answers.py) are dropped by the same transaction that changes the map, whatever
code path or console made the change. A later migration that rebuilds `practice` or
`recognition` on SQLite (a batch "move and copy") drops their triggers and must create them
again: tests/web/test_map_answers.py fails otherwise.

Revision ID: 0027_public_map_version
Revises: 0026_levels_consultations
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0027_public_map_version'
down_revision: str | None = '0026_levels_consultations'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PUBLIC = "('approved', 'recognised')"  # PUBLIC_PRACTICE_STATUSES when this was written
_BUMP = "UPDATE publicmapversion SET version = version + 1 WHERE id = 1"
_WHEN = {
    "practice": {
        "INSERT": f"NEW.status IN {_PUBLIC}",
        "UPDATE": f"OLD.status IN {_PUBLIC} OR NEW.status IN {_PUBLIC}",
        "DELETE": f"OLD.status IN {_PUBLIC}",
    },
    "recognition": {"INSERT": None, "UPDATE": None, "DELETE": None},
}


def _triggers() -> list[tuple[str, str, str, str | None]]:
    return [(f"{table}_{op_name.lower()}_public_map", table, op_name, when)
            for table, ops in _WHEN.items() for op_name, when in ops.items()]


def upgrade() -> None:
    op.create_table(
        'publicmapversion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute("INSERT INTO publicmapversion (id, version) VALUES (1, 0)")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("""CREATE FUNCTION bump_public_map_version() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN """ + _BUMP + """; RETURN NULL; END $$""")
    for name, table, event, when in _triggers():
        condition = f" WHEN ({when})" if when else ""
        if dialect == "postgresql":
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                       f"{condition} EXECUTE FUNCTION bump_public_map_version()")
        elif dialect == "sqlite":
            condition = f" WHEN {when}" if when else ""
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                       f"{condition} BEGIN {_BUMP}; END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table, _event, _when in _triggers():
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS bump_public_map_version()")
    op.drop_table('publicmapversion')
