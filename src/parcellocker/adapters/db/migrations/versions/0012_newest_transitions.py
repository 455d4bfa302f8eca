"""The transitions' subject index ends with `id`, so the newest transitions of one subject come out of it in order.

The compartment card (service/locker_grid.py) and a pickup's look back (service/pickups.py) read the newest few
transitions of one compartment (ORDER BY at DESC, id DESC LIMIT n). With the index on (subject, subject_id, at)
PostgreSQL read all of that compartment's transitions and sorted them (the order was by `id`, not in the index):
the cost grew with the compartment's history. On (subject, subject_id, at, id) the scan runs backwards and stops
after n rows. The utilisation window uses the same index, as before. Found by `parcellocker bench scaling`; the
plans before and after are in docs/plans/.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_transitions_subject_subject_id_at_id"), "transitions", ["subject", "subject_id", "at", "id"]
    )
    op.drop_index(op.f("ix_transitions_subject_subject_id_at"), table_name="transitions")


def downgrade() -> None:
    op.create_index(op.f("ix_transitions_subject_subject_id_at"), "transitions", ["subject", "subject_id", "at"])
    op.drop_index(op.f("ix_transitions_subject_subject_id_at_id"), table_name="transitions")
