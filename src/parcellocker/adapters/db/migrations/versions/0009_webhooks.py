"""Carriers' webhooks and the event feed: the webhook outbox, and what carriers are told of each transition.

Every transition gets an event id (given to those already kept here), the carrier of a shipment's change (found
from the shipment), and `xact`: on PostgreSQL the id of the transaction that wrote it (its default from now on),
by which the feed reads in commit order; those already kept get 0, as every row on SQLite does.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
ID = sa.String(64)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
POSTGRES_XACT = "pg_current_xact_id()::text::bigint"
_BATCH = 1000

_transitions = sa.table("transitions", sa.column("id", sa.BigInteger()), sa.column("event_id", sa.String()))


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("transitions", sa.Column("event_id", sa.String(36), nullable=True))
    op.add_column("transitions", sa.Column("carrier_id", ID, nullable=True))
    op.add_column("transitions", sa.Column("xact", sa.BigInteger(), server_default=sa.text("0"), nullable=False))
    if bind.dialect.name == "postgresql":
        op.alter_column("transitions", "xact", server_default=sa.text(POSTGRES_XACT))
    _give_event_ids(bind)
    op.execute(
        "UPDATE transitions SET carrier_id = "
        "(SELECT shipments.carrier_id FROM shipments WHERE shipments.id = transitions.subject_id) "
        "WHERE subject = 'shipment'"
    )
    # NOT NULL needs a copy of the table on SQLite (a batch): safe for `transitions` only because no foreign key
    # points at it (lockers, compartments and shipments are never copied; see 0004-0008).
    with op.batch_alter_table("transitions") as batch:
        batch.alter_column("event_id", existing_type=sa.String(36), nullable=False)
    shipment_rows = sa.text("carrier_id IS NOT NULL")
    op.create_index(
        "ix_transitions_carrier_id_xact_id",
        "transitions",
        ["carrier_id", "xact", "id"],
        postgresql_where=shipment_rows,
        sqlite_where=shipment_rows,
    )

    op.create_table(
        "carrier_webhooks",
        sa.Column("carrier_id", ID, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("sealed_secret", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["carrier_id"], ["carriers.id"], name=op.f("fk_carrier_webhooks_carrier_id_carriers")),
        sa.PrimaryKeyConstraint("carrier_id", name=op.f("pk_carrier_webhooks")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("carrier_id", ID, nullable=False),
        sa.Column("shipment_id", ID, nullable=False),
        sa.Column("shipment_version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(36), nullable=True),
        sa.Column("claimed_until", UTC_TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", UTC_TIME, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_webhook_deliveries_carrier_id_carriers")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_webhook_deliveries_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    waiting = sa.text("done_at IS NULL")
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at", "id"],
        postgresql_where=waiting,
        sqlite_where=waiting,
    )
    op.create_index(
        "ix_webhook_deliveries_waiting_shipment",
        "webhook_deliveries",
        ["shipment_id", "shipment_version", "position"],
        postgresql_where=waiting,
        sqlite_where=waiting,
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_waiting_shipment", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("carrier_webhooks")
    op.drop_index("ix_transitions_carrier_id_xact_id", table_name="transitions")
    # Dropped in place on both databases (SQLite since 3.35), once the index that names them is gone, like the
    # columns of 0004-0008: no copy of the table, whatever may point at it.
    for column in ("xact", "carrier_id", "event_id"):
        op.execute(f"ALTER TABLE transitions DROP COLUMN {column}")


def _give_event_ids(connection: sa.Connection) -> None:
    """A new event id for each transition kept before this revision, a batch at a time."""
    t = _transitions.c
    give = _transitions.update().where(t.id == sa.bindparam("transition_id")).values(event_id=sa.bindparam("new_id"))
    while True:
        ids = connection.execute(sa.select(t.id).where(t.event_id.is_(None)).limit(_BATCH)).scalars().all()
        if not ids:
            return
        connection.execute(give, [{"transition_id": ident, "new_id": str(uuid.uuid4())} for ident in ids])
