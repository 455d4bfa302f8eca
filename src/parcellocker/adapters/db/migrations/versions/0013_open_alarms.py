"""A partial index of the alarms nobody acknowledged yet, newest first.

The dashboard's feed of open alarms (ORDER BY at DESC, id DESC LIMIT n WHERE acknowledged_at IS NULL) read every
alarm ever raised and kept the few still open: its cost grew with the parcels ever stored, each forced or left-open
door leaving an alarm behind. The index holds only the open ones. Found by `parcellocker bench scaling`; the plans
are in docs/plans/.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("acknowledged_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_alarms_open", "alarms", ["at", "id"], postgresql_where=_OPEN, sqlite_where=_OPEN)


def downgrade() -> None:
    op.drop_index("ix_alarms_open", table_name="alarms")
