"""A locker's opening hours, as the recipients' messages tell them ("24/7" unless the operator says otherwise).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("lockers", sa.Column("opening_hours", sa.Text(), nullable=False, server_default="24/7"))


def downgrade() -> None:
    # Not a batch (copy-and-rename) on SQLite: `lockers` is the parent of many foreign keys, and dropping it to
    # copy it back would break them. Both databases drop a column in place (SQLite since 3.35).
    op.execute("ALTER TABLE lockers DROP COLUMN opening_hours")
