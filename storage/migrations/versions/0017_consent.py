"""consent: answers to the privacy notice, and the version a person agreed to

Revision ID: 0017_consent
Revises: 0016_vote_rules
Create Date: 2026-12-04 16:40:46.688325
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0017_consent'
down_revision: str | None = '0016_vote_rules'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_person_id'), ['person_id'], unique=False)

    op.add_column('person', sa.Column('consent_version',
                                      sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))



def downgrade() -> None:
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of `person` would drop a
    # table other tables' foreign keys point at.
    op.drop_column('person', 'consent_version')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_person_id'))
    op.drop_table('consent')
