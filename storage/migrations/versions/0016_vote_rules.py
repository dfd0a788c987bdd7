"""practice votes: the voter's declared commune, and the votes that break the rules dropped

A vote now counts only when it came through the consultation the bot offered, from a Telegram
or Zalo account, by someone who declared they live in the practice's commune (handlers/
consensus.py). The existing votes are recounted here:

- dropped: votes of people with no Telegram or Zalo account (a web chat session alone, such
  as one a made-up cookie opened), except the labelled demo data (`dvk demo`);
- kept, declared resident: the others. The consultation that took them asked "which commune do
  you live in?" and listed only that commune's practices, so each was cast by someone who
  declared they live in the practice's commune.

Revision ID: 0016_vote_rules
Revises: 0015_audit_log
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016_vote_rules'
down_revision: str | None = '0015_audit_log'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VOTING_CHANNELS = "('telegram', 'zalo_bot', 'zalo_oa')"
DEMO_PEOPLE = ("'Dữ liệu mẫu (dvk demo)'", "'Người dân mẫu (dvk demo)'")


def upgrade() -> None:
    with op.batch_alter_table('practicevote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resident_of', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))
    op.execute(f"""
        DELETE FROM practicevote
        WHERE person_id NOT IN (SELECT person_id FROM channelaccount
                                WHERE channel IN {VOTING_CHANNELS})
          AND person_id NOT IN (SELECT id FROM person
                                WHERE display_name IN ({", ".join(DEMO_PEOPLE)}))
    """)
    op.execute("""
        UPDATE practicevote SET resident_of = (SELECT commune_code FROM practice
                                               WHERE practice.id = practicevote.practice_id)
    """)


def downgrade() -> None:
    with op.batch_alter_table('practicevote', schema=None) as batch_op:
        batch_op.drop_column('resident_of')
