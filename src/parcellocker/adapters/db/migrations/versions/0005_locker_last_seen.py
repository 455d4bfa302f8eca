"""When each locker's terminal was last seen on the HTTP link, and the index the utilisation query wants.

`lockers.last_seen_at` is written (at most every few seconds) while the terminal's requests come in, and a locker
not seen for longer than the server's window goes offline (service/locker_presence.py). Empty for a locker whose
presence its MQTT link tells.

The utilisation query reads a locker's compartment transitions from a time on: `transitions (subject, subject_id,
at)` lets it read only the rows of the window. It replaces the index on `(subject, subject_id)`, which is its
prefix (every read that used it can use the new one), so each transition still costs one index to keep up.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("lockers", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_transitions_subject_subject_id_at"), "transitions", ["subject", "subject_id", "at"])
    op.drop_index(op.f("ix_transitions_subject_subject_id"), table_name="transitions")


def downgrade() -> None:
    op.create_index(op.f("ix_transitions_subject_subject_id"), "transitions", ["subject", "subject_id"])
    op.drop_index(op.f("ix_transitions_subject_subject_id_at"), table_name="transitions")
    # Not a batch (copy-and-rename) on SQLite: `lockers` is the parent of many foreign keys, and dropping it to
    # copy it back would break them. Both databases drop a column in place (SQLite since 3.35).
    op.execute("ALTER TABLE lockers DROP COLUMN last_seen_at")
