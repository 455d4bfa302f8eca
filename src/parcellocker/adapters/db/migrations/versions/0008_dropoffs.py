"""Sending from a locker and returns: a shipment's kind (`delivery`, `send`, `return`), and the drop-off code its
sender types at the locker, kept only as its HMAC (like pickup codes), with its expiry; live drop-off codes differ
within a locker (a partial unique index, which also serves the lookup of a typed code).

Shipments already there are deliveries (the column's default). Columns are added and dropped in place, never by a
batch copy: `shipments` is the parent of foreign keys (compartments' parcels, notifications), and dropping it to
copy it back would break them on SQLite. The downgrade refuses while a parcel to send or return has not ended: as a
delivery it would be open to a courier's deposit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-14
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "uq_shipments_locker_id_dropoff_code_hash"
_LIVE_CODE = sa.text("dropoff_code_hash IS NOT NULL")
ENDED_STATES = ("picked_up", "returned", "cancelled", "handed_to_carrier")

# The shipments as this revision knows them: only the columns the downgrade's check reads.
_shipments = sa.table("shipments", sa.column("kind", sa.String()), sa.column("state", sa.String()))


def upgrade() -> None:
    op.add_column("shipments", sa.Column("kind", sa.String(20), server_default="delivery", nullable=False))
    op.add_column("shipments", sa.Column("dropoff_code_hash", sa.String(64), nullable=True))
    op.add_column("shipments", sa.Column("dropoff_code_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        _INDEX,
        "shipments",
        ["locker_id", "dropoff_code_hash"],
        unique=True,
        postgresql_where=_LIVE_CODE,
        sqlite_where=_LIVE_CODE,
    )


def downgrade() -> None:
    s = _shipments.c
    live = (
        op.get_bind()
        .execute(sa.select(sa.func.count()).where(s.kind != "delivery", s.state.not_in(ENDED_STATES)))
        .scalar()
    )
    if live:
        raise RuntimeError(
            f"{live} parcels to send or return have not ended; cancel them or let them be handed to their carriers "
            "before going below revision 0008"
        )
    op.drop_index(_INDEX, table_name="shipments")
    for column in ("dropoff_code_expires_at", "dropoff_code_hash", "kind"):
        op.execute(f"ALTER TABLE shipments DROP COLUMN {column}")
