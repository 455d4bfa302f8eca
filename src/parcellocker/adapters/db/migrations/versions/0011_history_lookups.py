"""Indexes for two reads that otherwise read every row ever stored (found by `parcellocker bench scaling`).

- The operator's shipment search by tracking number (any carrier: service/shipment_trace.py) had only the unique
  constraint on `(carrier_id, tracking_number)`, which a search without the carrier cannot use: a sequential scan
  of `shipments`, every parcel ever announced. `ix_shipments_tracking_number` makes it an index lookup.
- The dashboard's alarms feed (the newest alarms, ORDER BY at DESC, id DESC LIMIT n) had only `(locker_id, at)`:
  every alarm ever raised was read and sorted to keep the newest hundred. `ix_alarms_at_id` hands them out in
  order, and the scan stops after `n` (for the open-only feed, after `n` unacknowledged ones).

The plans before and after are in docs/plans/.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_shipments_tracking_number"), "shipments", ["tracking_number"])
    op.create_index(op.f("ix_alarms_at_id"), "alarms", ["at", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_alarms_at_id"), table_name="alarms")
    op.drop_index(op.f("ix_shipments_tracking_number"), table_name="shipments")
