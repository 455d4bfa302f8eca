"""The first schema: lockers, compartments, shipments and their transitions, accounts, and the safety records.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
STATE = sa.String(20)
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lockers",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("status", STATE, nullable=False),
        sa.Column("inner_dimensions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockers")),
    )
    op.create_table(
        "carriers",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carriers")),
    )
    op.create_table(
        "compartments",
        sa.Column("id", ID, nullable=False),
        sa.Column("locker_id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(4), nullable=False),
        sa.Column("size_rank", sa.Integer(), nullable=False),
        sa.Column("board", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("state", STATE, nullable=False),
        sa.Column("door", STATE, nullable=False),
        sa.Column("pending", STATE, nullable=True),
        sa.Column("shipment_id", ID, nullable=True),
        sa.Column("out_of_order_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["locker_id"], ["lockers.id"], name=op.f("fk_compartments_locker_id_lockers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compartments")),
        sa.UniqueConstraint("locker_id", "number", name=op.f("uq_compartments_locker_id_number")),
    )
    op.create_index(
        op.f("ix_compartments_locker_id_state_size_rank_number"),
        "compartments",
        ["locker_id", "state", "size_rank", "number"],
    )
    op.create_table(
        "shipments",
        sa.Column("id", ID, nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("carrier_id", ID, nullable=False),
        sa.Column("locker_id", ID, nullable=False),
        sa.Column("parcel_size", sa.String(4), nullable=True),
        sa.Column("parcel_height_mm", sa.Integer(), nullable=True),
        sa.Column("parcel_width_mm", sa.Integer(), nullable=True),
        sa.Column("parcel_depth_mm", sa.Integer(), nullable=True),
        sa.Column("recipient_email", sa.Text(), nullable=True),
        sa.Column("recipient_phone", sa.String(32), nullable=True),
        sa.Column("recipient_name", sa.Text(), nullable=True),
        sa.Column("recipient_language", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("state", STATE, nullable=False),
        sa.Column("compartment_id", ID, nullable=True),
        sa.Column("deposited_size", sa.String(4), nullable=True),
        sa.Column("pickup_code_hash", sa.String(64), nullable=True),
        sa.Column("pickup_deadline", UTC_TIME, nullable=True),
        sa.Column("stored_at", UTC_TIME, nullable=True),
        sa.Column("picked_up_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["carrier_id"], ["carriers.id"], name=op.f("fk_shipments_carrier_id_carriers")),
        sa.ForeignKeyConstraint(
            ["compartment_id"], ["compartments.id"], name=op.f("fk_shipments_compartment_id_compartments")
        ),
        sa.ForeignKeyConstraint(["locker_id"], ["lockers.id"], name=op.f("fk_shipments_locker_id_lockers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("carrier_id", "tracking_number", name=op.f("uq_shipments_carrier_id_tracking_number")),
        sa.UniqueConstraint("locker_id", "pickup_code_hash", name=op.f("uq_shipments_locker_id_pickup_code_hash")),
    )
    live = sa.text("compartment_id IS NOT NULL")
    op.create_index(
        "uq_shipments_compartment_id",
        "shipments",
        ["compartment_id"],
        unique=True,
        postgresql_where=live,
        sqlite_where=live,
    )
    op.create_table(
        "transitions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("subject", STATE, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("from_state", STATE, nullable=True),
        sa.Column("to_state", STATE, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transitions")),
    )
    op.create_index(op.f("ix_transitions_subject_subject_id"), "transitions", ["subject", "subject_id"])
    op.create_table(
        "couriers",
        sa.Column("id", ID, nullable=False),
        sa.Column("carrier_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["carrier_id"], ["carriers.id"], name=op.f("fk_couriers_carrier_id_carriers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_couriers")),
    )
    op.create_table(
        "operators",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
    )
    op.create_table(
        "api_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", STATE, nullable=False),
        sa.Column("principal_id", ID, nullable=False),
        sa.Column("carrier_id", ID, nullable=True),
        sa.Column("locker_id", ID, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(["carrier_id"], ["carriers.id"], name=op.f("fk_api_keys_carrier_id_carriers")),
        sa.ForeignKeyConstraint(["locker_id"], ["lockers.id"], name=op.f("fk_api_keys_locker_id_lockers")),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_api_keys")),
    )
    op.create_table(
        "lockouts",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("locked_until", UTC_TIME, nullable=True),
        sa.Column("strikes", sa.Integer(), nullable=False),
        sa.Column("last_strike_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lockouts")),
    )
    op.create_table(
        "alarms",
        sa.Column("id", ID, nullable=False),
        sa.Column("locker_id", ID, nullable=False),
        sa.Column("kind", STATE, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("compartment_number", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", UTC_TIME, nullable=True),
        sa.Column("acknowledged_by", sa.String(160), nullable=True),
        sa.ForeignKeyConstraint(["locker_id"], ["lockers.id"], name=op.f("fk_alarms_locker_id_lockers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
    )
    op.create_index(op.f("ix_alarms_locker_id_at"), "alarms", ["locker_id", "at"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "audit_queue",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_queue")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "terminal_events",
        sa.Column("locker_id", ID, nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("reply", sa.JSON(), nullable=False),
        sa.Column("applied_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["locker_id"], ["lockers.id"], name=op.f("fk_terminal_events_locker_id_lockers")),
        sa.PrimaryKeyConstraint("locker_id", "seq", name=op.f("pk_terminal_events")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("shipment_id", ID, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("sealed_payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.id"], name=op.f("fk_notifications_shipment_id_shipments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    unsent = sa.text("sent_at IS NULL")
    op.create_index(
        "ix_notifications_due",
        "notifications",
        ["next_attempt_at"],
        postgresql_where=unsent,
        sqlite_where=unsent,
    )


def downgrade() -> None:
    for table in (
        "notifications",
        "terminal_events",
        "idempotency_keys",
        "audit_queue",
        "audit_log",
        "alarms",
        "lockouts",
        "api_keys",
        "operators",
        "couriers",
        "transitions",
        "shipments",
        "compartments",
        "carriers",
        "lockers",
    ):
        op.drop_table(table)
