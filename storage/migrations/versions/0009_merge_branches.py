"""Join the branches written side by side (map index, feedback and officials, scheduler,
linking, Zalo OA) into one head; they touch separate tables, so their order does not matter.

Revision ID: 0009
Revises: 0005, 0005_web, 0006, 0007, 0008
Create Date: 2026-11-29
"""
from collections.abc import Sequence

revision: str = "0009"
down_revision: tuple[str, ...] = ("0005", "0005_web", "0006", "0007", "0008")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
