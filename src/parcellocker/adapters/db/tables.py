"""The schema, as SQLAlchemy Core tables. Alembic migrations (migrations/versions) must build exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from parcellocker.adapters.db.types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = 64  # length of every identifier column
STATE = 20
# An auto-numbered 64-bit key; SQLite numbers only an INTEGER PRIMARY KEY by itself.
SERIAL = BigInteger().with_variant(Integer(), "sqlite")

lockers = Table(
    "lockers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("status", String(STATE), nullable=False),
    # {"S": [height_mm, width_mm, depth_mm], ...}
    Column("inner_dimensions", JSON, nullable=False),
    Column("opening_hours", Text, nullable=False, server_default="24/7"),
    # When its terminal was last seen on the HTTP link (written at most every few seconds); None for a locker whose
    # presence its MQTT link tells, or never seen.
    Column("last_seen_at", UtcDateTime, nullable=True),
)

compartments = Table(
    "compartments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("locker_id", String(ID), ForeignKey("lockers.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("size", String(4), nullable=False),
    Column("size_rank", Integer, nullable=False),  # S=0, M=1, ...: smallest first when claiming
    Column("board", Integer, nullable=False),
    Column("channel", Integer, nullable=False),
    Column("state", String(STATE), nullable=False),
    Column("door", String(STATE), nullable=False),
    Column("pending", String(STATE), nullable=True),
    Column("shipment_id", String(ID), nullable=True),
    Column("out_of_order_reason", Text, nullable=True),
    Column("version", Integer, nullable=False),
    # Within reach of a person in a wheelchair (domain/cabinet.py), worked out when the locker is set up.
    Column("reachable", Boolean, nullable=False, server_default=false()),
    # Kept for parcels ("delivery") or for rentals ("rental"); the rental holding it (no foreign key, as for
    # shipment_id: rentals point at compartments).
    Column("use", String(STATE), nullable=False, server_default="delivery"),
    Column("rental_id", String(ID), nullable=True),
    # The carrier whose share of the locker it is in (domain/carrier_shares.py); NULL: the pool of every carrier.
    # No foreign key: SQLite drops a column in place only when no constraint names it (carriers are never deleted).
    Column("reserved_for_carrier_id", String(ID), nullable=True),
    UniqueConstraint("locker_id", "number"),
    # What claim_free searches: the free compartments of a locker, a carrier's share before the pool (the claim
    # keeps only the carrier's own and NULL, sorted NULLS LAST), smallest size first, out of reach before within
    # reach, lowest number first.
    Index("ix_compartments_claim", "locker_id", "state", "reserved_for_carrier_id", "size_rank", "reachable", "number"),
)

carriers = Table(
    "carriers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("tracking_number", String(64), nullable=False),
    Column("carrier_id", String(ID), ForeignKey("carriers.id"), nullable=False),
    Column("locker_id", String(ID), ForeignKey("lockers.id"), nullable=False),
    Column("parcel_size", String(4), nullable=True),
    Column("parcel_height_mm", Integer, nullable=True),
    Column("parcel_width_mm", Integer, nullable=True),
    Column("parcel_depth_mm", Integer, nullable=True),
    Column("recipient_email", Text, nullable=True),
    Column("recipient_phone", String(32), nullable=True),
    Column("recipient_name", Text, nullable=True),
    Column("recipient_language", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("state", String(STATE), nullable=False),
    Column("compartment_id", String(ID), ForeignKey("compartments.id"), nullable=True),
    Column("deposited_size", String(4), nullable=True),
    Column("pickup_code_hash", String(64), nullable=True),
    Column("pickup_deadline", UtcDateTime, nullable=True),
    Column("stored_at", UtcDateTime, nullable=True),
    Column("picked_up_at", UtcDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    # The recipient needs a compartment within reach: those are offered first at the deposit.
    Column("reachable_height", Boolean, nullable=False, server_default=false()),
    # The lifecycle (migration 0005): extensions of the deadline, the reminder's time, a redirect's locker (checked
    # by the use case; no foreign key, which SQLite could only add by rebuilding the table), the end, the erasure.
    Column("extensions", Integer, nullable=False, server_default="0"),
    Column("remind_at", UtcDateTime, nullable=True),
    Column("redirect_to_locker_id", String(ID), nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("personal_data_erased_at", UtcDateTime, nullable=True),
    # Sending from a locker and returns (migration 0008): the kind, and the sender's drop-off code (its HMAC, as
    # pickup codes) with its expiry.
    Column("kind", String(STATE), nullable=False, server_default="delivery"),
    Column("dropoff_code_hash", String(64), nullable=True),
    Column("dropoff_code_expires_at", UtcDateTime, nullable=True),
    UniqueConstraint("carrier_id", "tracking_number"),
    # NULLs never collide in a unique constraint, so only live codes must differ.
    UniqueConstraint("locker_id", "pickup_code_hash"),
    # What the scheduler searches (adapters/db/calendar.py): parcels whose deadline passed, by state then deadline.
    Index(None, "state", "pickup_deadline"),
    # The operator's search by tracking number, of any carrier (migration 0011; the constraint above needs the carrier).
    Index(None, "tracking_number"),
)
# The scheduler's other searches: reminders due (only stored parcels have a remind_at), and ended shipments whose
# personal data is still kept.
Index(
    "ix_shipments_remind_at",
    shipments.c.remind_at,
    postgresql_where=shipments.c.remind_at.is_not(None),
    sqlite_where=shipments.c.remind_at.is_not(None),
)
Index(
    "ix_shipments_ended_at_kept",
    shipments.c.ended_at,
    postgresql_where=shipments.c.personal_data_erased_at.is_(None),
    sqlite_where=shipments.c.personal_data_erased_at.is_(None),
)
# Live drop-off codes differ within a locker (an index, not a constraint: SQLite adds it in place), and a code typed
# at the locker is looked up by it; only shipments with a live drop-off code are in it.
Index(
    "uq_shipments_locker_id_dropoff_code_hash",
    shipments.c.locker_id,
    shipments.c.dropoff_code_hash,
    unique=True,
    postgresql_where=shipments.c.dropoff_code_hash.is_not(None),
    sqlite_where=shipments.c.dropoff_code_hash.is_not(None),
)
# No compartment can ever hold two live shipments.
Index(
    "uq_shipments_compartment_id",
    shipments.c.compartment_id,
    unique=True,
    postgresql_where=shipments.c.compartment_id.is_not(None),
    sqlite_where=shipments.c.compartment_id.is_not(None),
)

transitions = Table(
    "transitions",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("subject", String(STATE), nullable=False),  # "shipment" or "compartment"
    Column("subject_id", String(ID), nullable=False),
    Column("from_state", String(STATE), nullable=True),
    Column("to_state", String(STATE), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(160), nullable=False),
    Column("reason", Text, nullable=False),
    Column("details", JSON, nullable=False),
    # What carriers are told (webhooks, the event feed): the event's id, and the carrier of a shipment's change.
    Column("event_id", String(36), nullable=False),
    Column("carrier_id", String(ID), nullable=True),
    # The writing transaction's id on PostgreSQL (migration 0009 makes it the column's default there), by which the
    # event feed reads in commit order without skipping a change committed late; 0 on SQLite, one writer at a time.
    Column("xact", BigInteger, nullable=False, server_default=text("0")),
    # One subject's history, its newest first without a sort; and (utilisation) a locker's compartments'
    # transitions from a time on.
    Index(None, "subject", "subject_id", "at", "id"),
)
# The event feed: a carrier's shipment changes in (xact, id) order.
Index(
    "ix_transitions_carrier_id_xact_id",
    transitions.c.carrier_id,
    transitions.c.xact,
    transitions.c.id,
    postgresql_where=transitions.c.carrier_id.is_not(None),
    sqlite_where=transitions.c.carrier_id.is_not(None),
)

couriers = Table(
    "couriers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("carrier_id", String(ID), ForeignKey("carriers.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("pin_hash", Text, nullable=False),
)

operators = Table(
    "operators",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),  # SHA-256 of the key; the key itself is never kept
    Column("role", String(STATE), nullable=False),
    Column("principal_id", String(ID), nullable=False),
    Column("carrier_id", String(ID), ForeignKey("carriers.id"), nullable=True),
    Column("locker_id", String(ID), ForeignKey("lockers.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

lockouts = Table(
    "lockouts",
    metadata,
    Column("key", Text, primary_key=True),
    Column("failures", JSON, nullable=False),  # ISO times of the recent wrong tries
    Column("locked_until", UtcDateTime, nullable=True),
    Column("strikes", Integer, nullable=False),
    Column("last_strike_at", UtcDateTime, nullable=True),
    Column("version", Integer, nullable=False),  # optimistic: a write must name the version it read
)

alarms = Table(
    "alarms",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("locker_id", String(ID), ForeignKey("lockers.id"), nullable=False),
    Column("kind", String(STATE), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("message", Text, nullable=False),
    Column("compartment_number", Integer, nullable=True),
    Column("acknowledged_at", UtcDateTime, nullable=True),
    Column("acknowledged_by", String(160), nullable=True),
    Index(None, "locker_id", "at"),
    # The dashboard's feed: the newest alarms first (migration 0011).
    Index(None, "at", "id"),
)
# The dashboard's feed of alarms nobody acknowledged yet: only those are in it, so reading the newest of them does not
# grow with every alarm ever raised (migration 0013).
Index(
    "ix_alarms_open",
    alarms.c.at,
    alarms.c.id,
    postgresql_where=alarms.c.acknowledged_at.is_(None),
    sqlite_where=alarms.c.acknowledged_at.is_(None),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),  # given by the chainer, under a lock
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(160), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Records of committed transactions waiting to be chained into audit_log (PostgreSQL; see audit.py).
audit_queue = Table(
    "audit_queue",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(160), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("details", JSON, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("body", JSON, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("scope", "key"),
)

terminal_events = Table(
    "terminal_events",
    metadata,
    Column("locker_id", String(ID), ForeignKey("lockers.id"), nullable=False),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("reply", JSON, nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("locker_id", "seq"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("shipment_id", String(ID), ForeignKey("shipments.id"), nullable=True),  # or:
    Column("rental_id", String(ID), ForeignKey("rentals.id"), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("address", Text, nullable=False),
    Column("template", String(64), nullable=False),
    Column("language", String(16), nullable=False),
    Column("sealed_payload", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", UtcDateTime, nullable=False),
)
# The outbox's queue: only unsent messages, in the order they are due.
Index(
    "ix_notifications_due",
    notifications.c.next_attempt_at,
    postgresql_where=notifications.c.sent_at.is_(None),
    sqlite_where=notifications.c.sent_at.is_(None),
)

# The newest notification of a template for a shipment (the code a reminder repeats), and a shipment's own when its
# recipient's data is erased.
Index(None, notifications.c.shipment_id, notifications.c.template, notifications.c.created_at)

# Pickup policies of lockers and carriers (domain/pickup_policy.py); a missing row, or a NULL, inherits the setting.
pickup_policies = Table(
    "pickup_policies",
    metadata,
    Column("subject", String(STATE), nullable=False),  # "locker" or "carrier"
    Column("subject_id", String(ID), nullable=False),
    Column("pickup_window_seconds", Integer, nullable=True),
    Column("extension_seconds", Integer, nullable=True),
    Column("reminder_before_seconds", Integer, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("subject", "subject_id"),
)

# Commands queued for a locker's terminal (open a compartment, sync codes, set config) and their acknowledgements.
terminal_commands = Table(
    "terminal_commands",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("locker_id", String(ID), ForeignKey("lockers.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("body", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(160), nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("acknowledged_at", UtcDateTime, nullable=True),
    Column("outcome", String(STATE), nullable=True),
    Column("detail", Text, nullable=True),
    Index(None, "locker_id", "id"),
)

# Renting compartments for storage (docs/rentals.md): companies' accounts, each locker's terms, the rentals, their
# payments and the prepaid vouchers.
rental_accounts = Table(
    "rental_accounts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("locker_ids", JSON, nullable=False),  # the lockers it may rent at
    Column("created_at", UtcDateTime, nullable=False),
    Column("active", Boolean, nullable=False),
)

rental_terms = Table(
    "rental_terms",
    metadata,
    Column("locker_id", String(ID), ForeignKey("lockers.id"), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("prices", JSON, nullable=False),  # {"S": [per hour, per day, longest rental in minutes], ...}
    Column("overdue", String(STATE), nullable=False),
    Column("walk_up_methods", JSON, nullable=False),
    Column("overdue_grace_minutes", Integer, nullable=False),
    Column("version", Integer, nullable=False),
)

rentals = Table(
    "rentals",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("locker_id", String(ID), ForeignKey("lockers.id"), nullable=False),
    Column("compartment_id", String(ID), ForeignKey("compartments.id"), nullable=False),
    Column("compartment_number", Integer, nullable=False),
    Column("size", String(4), nullable=False),
    Column("origin", String(STATE), nullable=False),
    Column("renter_name", Text, nullable=True),
    Column("renter_email", Text, nullable=True),
    Column("renter_phone", String(32), nullable=True),
    Column("renter_language", String(16), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payment_method", String(STATE), nullable=False),
    Column("account_id", String(ID), ForeignKey("rental_accounts.id"), nullable=True),
    Column("state", String(STATE), nullable=False),
    Column("code_hash", String(64), nullable=True),
    Column("hold_until", UtcDateTime, nullable=True),
    Column("last_opening", Boolean, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("end_reason", Text, nullable=True),
    Column("version", Integer, nullable=False),
    # NULLs never collide: only live codes must differ.
    UniqueConstraint("locker_id", "code_hash"),
    # The claim's check that no live rental holds a compartment in a window.
    Index(None, "compartment_id", "state", "starts_at"),
    Index(None, "locker_id", "state"),
    Index(None, "state", "ends_at"),
    Index(None, "account_id", "created_at"),
)

rental_payments = Table(
    "rental_payments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("rental_id", String(ID), ForeignKey("rentals.id"), nullable=False),
    Column("purpose", String(STATE), nullable=False),
    Column("method", String(STATE), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("state", String(STATE), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime, nullable=True),
    Column("account_id", String(ID), ForeignKey("rental_accounts.id"), nullable=True),
    Column("voucher_id", String(ID), nullable=True),
    Column("provider_reference", Text, nullable=True),
    Column("checkout_url", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Index(None, "rental_id"),
    # An account's charges, by when they were settled (the CSV export).
    Index(None, "account_id", "settled_at"),
)

rental_vouchers = Table(
    "rental_vouchers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("value", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(160), nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("redeemed_at", UtcDateTime, nullable=True),
    Column("payment_id", String(ID), nullable=True),
)

# A carrier's webhook: where its shipments' changes are POSTed, and the secret they are signed with (sealed).
carrier_webhooks = Table(
    "carrier_webhooks",
    metadata,
    Column("carrier_id", String(ID), ForeignKey("carriers.id"), primary_key=True),
    Column("url", Text, nullable=False),
    Column("sealed_secret", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The webhook outbox: one row per shipment change to tell a carrier, written in the change's own transaction.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("carrier_id", String(ID), ForeignKey("carriers.id"), nullable=False),
    Column("shipment_id", String(ID), ForeignKey("shipments.id"), nullable=False),
    # The shipment's order of changes: its version after the change, then the change's place within it.
    Column("shipment_version", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("body", Text, nullable=False),  # the JSON sent, byte for byte the same at every attempt
    Column("created_at", UtcDateTime, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),  # failed attempts
    Column("claim", String(36), nullable=True),  # the sender attempting it now ...
    Column("claimed_until", UtcDateTime, nullable=True),  # ... until then, when another may take it over
    Column("last_error", Text, nullable=True),
    Column("done_at", UtcDateTime, nullable=True),
    Column("outcome", String(STATE), nullable=True),  # delivered | abandoned
)
# What the senders search: the deliveries not yet made, in the order they are due ...
Index(
    "ix_webhook_deliveries_due",
    webhook_deliveries.c.next_attempt_at,
    webhook_deliveries.c.id,
    postgresql_where=webhook_deliveries.c.done_at.is_(None),
    sqlite_where=webhook_deliveries.c.done_at.is_(None),
)
# ... and, per shipment, whether an earlier one is still waiting (a shipment's events go out in order).
Index(
    "ix_webhook_deliveries_waiting_shipment",
    webhook_deliveries.c.shipment_id,
    webhook_deliveries.c.shipment_version,
    webhook_deliveries.c.position,
    postgresql_where=webhook_deliveries.c.done_at.is_(None),
    sqlite_where=webhook_deliveries.c.done_at.is_(None),
)
