"""A locker's opening hours, as the recipients' messages tell them ("24/7" unless the operator says otherwise).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("lockers", sa.Column("opening_hours", sa.Text(), nullable=False, server_default="24/7"))


def downgrade() -> None:
    with op.batch_alter_table("lockers") as batch:
        batch.drop_column("opening_hours")
