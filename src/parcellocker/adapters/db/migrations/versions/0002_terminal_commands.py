"""Commands queued for the lockers' terminals (the HTTP link's downward direction).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "terminal_commands",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("locker_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=True),
        sa.Column("acknowledged_at", UTC_TIME, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["locker_id"], ["lockers.id"], name=op.f("fk_terminal_commands_locker_id_lockers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_commands")),
    )
    op.create_index(op.f("ix_terminal_commands_locker_id_id"), "terminal_commands", ["locker_id", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_terminal_commands_locker_id_id"), table_name="terminal_commands")
    op.drop_table("terminal_commands")
