"""Renting compartments for storage: what each compartment is for and the rental holding it, the companies'
accounts, each locker's rental terms, the rentals, their payments, the prepaid vouchers, and notifications about a
rental (its code) besides those about a shipment.

`compartments` gains its columns in place (it is the parent of many foreign keys: copying it on SQLite would break
them); `notifications`, the parent of none, is copied on SQLite to let `shipment_id` be NULL, its partial index made
again afterwards.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
STATE = sa.String(20)
UTC_TIME = sa.DateTime(timezone=True)
_UNSENT = sa.text("sent_at IS NULL")


def upgrade() -> None:
    op.add_column("compartments", sa.Column("use", STATE, nullable=False, server_default="delivery"))
    op.add_column("compartments", sa.Column("rental_id", ID, nullable=True))
    op.create_table(
        "rental_accounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("locker_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rental_accounts")),
    )
    op.create_table(
        "rental_terms",
        sa.Column("locker_id", ID, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("prices", sa.JSON(), nullable=False),
        sa.Column("overdue", STATE, nullable=False),
        sa.Column("walk_up_methods", sa.JSON(), nullable=False),
        sa.Column("overdue_grace_minutes", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["locker_id"], ["lockers.id"], name=op.f("fk_rental_terms_locker_id_lockers")),
        sa.PrimaryKeyConstraint("locker_id", name=op.f("pk_rental_terms")),
    )
    _create_rentals()
    _create_payments_and_vouchers()
    _let_notifications_tell_of_rentals()


def _create_rentals() -> None:
    op.create_table(
        "rentals",
        sa.Column("id", ID, nullable=False),
        sa.Column("locker_id", ID, nullable=False),
        sa.Column("compartment_id", ID, nullable=False),
        sa.Column("compartment_number", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(4), nullable=False),
        sa.Column("origin", STATE, nullable=False),
        sa.Column("renter_name", sa.Text(), nullable=True),
        sa.Column("renter_email", sa.Text(), nullable=True),
        sa.Column("renter_phone", sa.String(32), nullable=True),
        sa.Column("renter_language", sa.String(16), nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("payment_method", STATE, nullable=False),
        sa.Column("account_id", ID, nullable=True),
        sa.Column("state", STATE, nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("hold_until", UTC_TIME, nullable=True),
        sa.Column("last_opening", sa.Boolean(), nullable=False),
        sa.Column("ended_at", UTC_TIME, nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["rental_accounts.id"], name=op.f("fk_rentals_account_id_rental_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["compartment_id"], ["compartments.id"], name=op.f("fk_rentals_compartment_id_compartments")
        ),
        sa.ForeignKeyConstraint(["locker_id"], ["lockers.id"], name=op.f("fk_rentals_locker_id_lockers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rentals")),
        sa.UniqueConstraint("locker_id", "code_hash", name=op.f("uq_rentals_locker_id_code_hash")),
    )
    op.create_index(
        op.f("ix_rentals_compartment_id_state_starts_at"), "rentals", ["compartment_id", "state", "starts_at"]
    )
    op.create_index(op.f("ix_rentals_locker_id_state"), "rentals", ["locker_id", "state"])
    op.create_index(op.f("ix_rentals_state_ends_at"), "rentals", ["state", "ends_at"])
    op.create_index(op.f("ix_rentals_account_id_created_at"), "rentals", ["account_id", "created_at"])


def _create_payments_and_vouchers() -> None:
    op.create_table(
        "rental_payments",
        sa.Column("id", ID, nullable=False),
        sa.Column("rental_id", ID, nullable=False),
        sa.Column("purpose", STATE, nullable=False),
        sa.Column("method", STATE, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("state", STATE, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("settled_at", UTC_TIME, nullable=True),
        sa.Column("account_id", ID, nullable=True),
        sa.Column("voucher_id", ID, nullable=True),
        sa.Column("provider_reference", sa.Text(), nullable=True),
        sa.Column("checkout_url", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["rental_accounts.id"], name=op.f("fk_rental_payments_account_id_rental_accounts")
        ),
        sa.ForeignKeyConstraint(["rental_id"], ["rentals.id"], name=op.f("fk_rental_payments_rental_id_rentals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rental_payments")),
    )
    op.create_index(op.f("ix_rental_payments_rental_id"), "rental_payments", ["rental_id"])
    op.create_index(op.f("ix_rental_payments_account_id_settled_at"), "rental_payments", ["account_id", "settled_at"])
    op.create_table(
        "rental_vouchers",
        sa.Column("id", ID, nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=True),
        sa.Column("redeemed_at", UTC_TIME, nullable=True),
        sa.Column("payment_id", ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rental_vouchers")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_rental_vouchers_code_hash")),
    )


def _let_notifications_tell_of_rentals() -> None:
    op.drop_index("ix_notifications_due", table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("shipment_id", existing_type=ID, nullable=True)
        batch.add_column(sa.Column("rental_id", ID, nullable=True))
        batch.create_foreign_key(op.f("fk_notifications_rental_id_rentals"), "rentals", ["rental_id"], ["id"])
    op.create_index("ix_notifications_due", "notifications", ["next_attempt_at"], postgresql_where=_UNSENT,
                    sqlite_where=_UNSENT)  # fmt: skip


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE shipment_id IS NULL")
    op.drop_index("ix_notifications_due", table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("fk_notifications_rental_id_rentals"), type_="foreignkey")
        batch.drop_column("rental_id")
        batch.alter_column("shipment_id", existing_type=ID, nullable=False)
    op.create_index("ix_notifications_due", "notifications", ["next_attempt_at"], postgresql_where=_UNSENT,
                    sqlite_where=_UNSENT)  # fmt: skip
    for table in ("rental_vouchers", "rental_payments", "rentals", "rental_terms", "rental_accounts"):
        op.drop_table(table)
    # In place on both databases (SQLite since 3.35): copying `compartments` would break the keys pointing at it.
    op.execute("ALTER TABLE compartments DROP COLUMN rental_id")
    op.execute('ALTER TABLE compartments DROP COLUMN "use"')
