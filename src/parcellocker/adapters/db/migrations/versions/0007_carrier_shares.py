"""Carriers' shares of a locker: `compartments.reserved_for_carrier_id` names the carrier a compartment is set aside
for (NULL: the pool every carrier shares), and the claim's index gains it, in the order the claim sorts by.

Columns are added and dropped in place, never by a batch copy: `compartments` (like `lockers`) is the parent of
foreign keys, and dropping it to copy it back would break them on SQLite. That is also why the new column has no
foreign key of its own: SQLite cannot drop a column in place that a constraint names.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_INDEX = "ix_compartments_locker_id_state_size_rank_reachable_number"
_OLD_COLUMNS = ["locker_id", "state", "size_rank", "reachable", "number"]
_NEW_INDEX = "ix_compartments_claim"
_NEW_COLUMNS = ["locker_id", "state", "reserved_for_carrier_id", "size_rank", "reachable", "number"]


def upgrade() -> None:
    op.add_column("compartments", sa.Column("reserved_for_carrier_id", sa.String(length=64), nullable=True))
    op.drop_index(_OLD_INDEX, table_name="compartments")
    op.create_index(_NEW_INDEX, "compartments", _NEW_COLUMNS)


def downgrade() -> None:
    op.drop_index(_NEW_INDEX, table_name="compartments")
    op.create_index(_OLD_INDEX, "compartments", _OLD_COLUMNS)
    op.execute("ALTER TABLE compartments DROP COLUMN reserved_for_carrier_id")
