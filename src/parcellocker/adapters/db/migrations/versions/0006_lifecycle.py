"""The parcel lifecycle (issue 6): deadline extensions, reminders, redirects, the end of a shipment and the erasure
of its recipient's data; pickup policies of lockers and carriers; the indexes the scheduler searches by.

Shipments stored before this revision get their reminder's time worked out as the server's default would give it
(24 hours before the deadline, if that is still ahead of when they were stored); shipments that had ended get
`ended_at` from their last transition, so their recipients' data is erased on the same terms as later ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from parcellocker.adapters.db.types import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
ENDED_STATES = ("picked_up", "returned", "cancelled", "handed_to_carrier")
REMINDER_BEFORE = timedelta(hours=24)

# The tables as this revision knows them, only the columns the backfill reads and writes (times as the application
# keeps them: aware UTC, stored as naive UTC text on SQLite).
_shipments = sa.table(
    "shipments",
    sa.column("id", sa.String()),
    sa.column("state", sa.String()),
    sa.column("stored_at", UtcDateTime()),
    sa.column("pickup_deadline", UtcDateTime()),
    sa.column("remind_at", UtcDateTime()),
    sa.column("ended_at", UtcDateTime()),
)
_transitions = sa.table(
    "transitions",
    sa.column("subject", sa.String()),
    sa.column("subject_id", sa.String()),
    sa.column("at", UtcDateTime()),
)


def upgrade() -> None:
    op.add_column("shipments", sa.Column("extensions", sa.Integer(), server_default="0", nullable=False))
    op.add_column("shipments", sa.Column("remind_at", UTC_TIME, nullable=True))
    op.add_column("shipments", sa.Column("redirect_to_locker_id", sa.String(64), nullable=True))
    op.add_column("shipments", sa.Column("ended_at", UTC_TIME, nullable=True))
    op.add_column("shipments", sa.Column("personal_data_erased_at", UTC_TIME, nullable=True))
    op.create_index(op.f("ix_shipments_state_pickup_deadline"), "shipments", ["state", "pickup_deadline"])
    op.create_index(
        "ix_shipments_remind_at",
        "shipments",
        ["remind_at"],
        postgresql_where=sa.text("remind_at IS NOT NULL"),
        sqlite_where=sa.text("remind_at IS NOT NULL"),
    )
    op.create_index(
        "ix_shipments_ended_at_kept",
        "shipments",
        ["ended_at"],
        postgresql_where=sa.text("personal_data_erased_at IS NULL"),
        sqlite_where=sa.text("personal_data_erased_at IS NULL"),
    )
    op.create_index(
        op.f("ix_notifications_shipment_id_template_created_at"),
        "notifications",
        ["shipment_id", "template", "created_at"],
    )
    op.create_table(
        "pickup_policies",
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("pickup_window_seconds", sa.Integer(), nullable=True),
        sa.Column("extension_seconds", sa.Integer(), nullable=True),
        sa.Column("reminder_before_seconds", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("subject", "subject_id", name=op.f("pk_pickup_policies")),
    )
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("pickup_policies")
    op.drop_index(op.f("ix_notifications_shipment_id_template_created_at"), table_name="notifications")
    op.drop_index("ix_shipments_ended_at_kept", table_name="shipments")
    op.drop_index("ix_shipments_remind_at", table_name="shipments")
    op.drop_index(op.f("ix_shipments_state_pickup_deadline"), table_name="shipments")
    # Not a batch (copy-and-rename) on SQLite: foreign keys (compartments, notifications) point at `shipments`, and
    # dropping it to copy it back would break them. Both databases drop a column in place (SQLite since 3.35), once
    # the indexes that name it are gone.
    for column in ("personal_data_erased_at", "ended_at", "redirect_to_locker_id", "remind_at", "extensions"):
        op.execute(f"ALTER TABLE shipments DROP COLUMN {column}")


def _backfill(connection: sa.Connection) -> None:
    s = _shipments.c
    stored = connection.execute(
        sa.select(s.id, s.stored_at, s.pickup_deadline).where(s.state == "stored", s.pickup_deadline.is_not(None))
    )
    reminders = []
    for shipment_id, stored_at, deadline in stored:
        remind_at = deadline - REMINDER_BEFORE
        if stored_at is None or remind_at > stored_at:
            reminders.append({"shipment_id": shipment_id, "new_remind_at": remind_at})
    if reminders:
        plan = _shipments.update().where(s.id == sa.bindparam("shipment_id"))
        connection.execute(plan.values(remind_at=sa.bindparam("new_remind_at")), reminders)
    t = _transitions.c
    last_move = sa.select(sa.func.max(t.at)).where(t.subject == "shipment", t.subject_id == s.id).scalar_subquery()
    connection.execute(_shipments.update().where(s.state.in_(ENDED_STATES)).values(ended_at=last_move))
