"""Migration 0009 on SQLite and PostgreSQL: the transitions already kept get event ids and their carrier and are
in the feed; new ones are written with the writing transaction's id on PostgreSQL; and it goes back down to 0008
in place, every foreign key still referring to a table."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command
from webhook_samples import add_webhook, announced

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import alembic_config, current, head, upgrade
from parcellocker.adapters.db.types import UtcDateTime
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork

AT = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
# The tables as revision 0008 holds them, only the columns written here (not the repositories, which know the
# columns of later revisions).
_carriers = sa.table("carriers", sa.column("id"), sa.column("name"))
_lockers = sa.table(
    "lockers",
    *(sa.column(c) for c in ("id", "name", "address", "timezone", "status", "opening_hours")),
    sa.column("inner_dimensions", sa.JSON),
)
_shipments = sa.table(
    "shipments",
    *(sa.column(c) for c in ("id", "tracking_number", "carrier_id", "locker_id", "state", "recipient_email")),
    *(sa.column(c) for c in ("recipient_language", "version", "extensions")),
    sa.column("created_at", UtcDateTime),
    sa.column("ended_at", UtcDateTime),
)
_notifications = sa.table(
    "notifications",
    *(sa.column(c) for c in ("id", "shipment_id", "channel", "address", "template", "language", "sealed_payload")),
    *(sa.column(c, UtcDateTime) for c in ("created_at", "next_attempt_at")),
    sa.column("attempts"),
)
_transitions = sa.table(
    "transitions",
    *(sa.column(c) for c in ("subject", "subject_id", "from_state", "to_state", "actor", "reason")),
    sa.column("at", UtcDateTime),
    sa.column("details", sa.JSON),
)


async def _fill_at_0008(url: str) -> None:
    """A carrier, a locker, a shipment with two transitions and a message, and a compartment with one transition,
    as kept at 0008."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(_carriers.insert(), [{"id": "carrier-1", "name": "Carrier One"}])
            await connection.execute(
                _lockers.insert(),
                [{"id": "L-1", "name": "L-1", "address": "1 St", "timezone": "UTC", "status": "offline",
                  "opening_hours": "24/7", "inner_dimensions": {"S": [80, 380, 640]}}],
            )  # fmt: skip
            await connection.execute(
                _shipments.insert(),
                [{"id": "shp-old", "tracking_number": "OLD", "carrier_id": "carrier-1", "locker_id": "L-1",
                  "state": "cancelled", "recipient_email": "a@example.org", "recipient_language": "en", "version": 1,
                  "extensions": 0, "created_at": AT, "ended_at": AT}],
            )  # fmt: skip
            common = {"actor": "carrier:carrier-1", "at": AT, "details": {}}
            await connection.execute(
                _transitions.insert(),
                [
                    {"subject": "shipment", "subject_id": "shp-old", "from_state": None, "to_state": "announced"}
                    | {"reason": "announced by carrier"} | common,
                    {"subject": "compartment", "subject_id": "L-1/1", "from_state": "free", "to_state": "reserved"}
                    | {"reason": "deposit"} | common,
                    {"subject": "shipment", "subject_id": "shp-old", "from_state": "announced", "to_state": "cancelled"}
                    | {"reason": "cancelled by carrier"} | common,
                ],
            )  # fmt: skip
            await connection.execute(
                _notifications.insert(),
                {"id": "n-old", "shipment_id": "shp-old", "channel": "email", "address": "a@example.org"}
                | {"template": "parcel_stored", "language": "en", "sealed_payload": "sealed", "attempts": 0}
                | {"created_at": AT, "next_attempt_at": AT},
            )
    finally:
        await engine.dispose()


async def _kept_transitions(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            query = sa.text("SELECT subject, event_id, carrier_id, xact FROM transitions ORDER BY id")
            return list((await connection.execute(query)).all())
    finally:
        await engine.dispose()


async def test_migration_0009_gives_kept_transitions_their_event_id_and_carrier(
    fresh_database: Any, database_kind: str
) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url, "0008")
    await _fill_at_0008(url)
    upgrade(url)
    assert current(url) == head()

    kept = await _kept_transitions(url)
    assert [(subject, carrier, xact) for subject, _, carrier, xact in kept] == [
        ("shipment", "carrier-1", 0),
        ("compartment", None, 0),
        ("shipment", "carrier-1", 0),
    ]
    assert len({event_id for _, event_id, _, _ in kept}) == 3 and all(len(row[1]) == 36 for row in kept)

    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(engine, read_only=True) as uow:
            feed = await uow.shipment_events.of_carrier("carrier-1", None, 10)
        assert [(e.to_state, e.event_id) for e in feed] == [("announced", kept[0][1]), ("cancelled", kept[2][1])]
        await add_webhook(engine)
        await announced(engine, "NEW")
    finally:
        await engine.dispose()
    newest = (await _kept_transitions(url))[-1]
    assert newest[2] == "carrier-1" and (newest[3] > 0) == (database_kind == "postgres")


async def test_migration_0009_goes_back_down_to_0008_and_up_again(fresh_database: Any, database_kind: str) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url, "0008")
    await _fill_at_0008(url)
    upgrade(url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0008")
    assert current(url) == "0008"

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            tables, columns, referred = await connection.run_sync(_tables_columns_and_referred)
    finally:
        await engine.dispose()
    assert not {"carrier_webhooks", "webhook_deliveries"} & tables
    assert not {"event_id", "carrier_id", "xact"} & columns
    # Nothing was copied to a new table on SQLite: what pointed at shipments, lockers and carriers still does.
    assert referred["notifications"] == {"shipments"} and referred["shipments"] == {
        "carriers",
        "lockers",
        "compartments",
    }
    assert all(targets <= tables for targets in referred.values()), referred
    upgrade(url)
    assert current(url) == head() and len(await _kept_transitions(url)) == 3


def _tables_columns_and_referred(sync: sa.Connection) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """The tables, the columns of `transitions`, and the tables each table's foreign keys refer to."""
    inspector = sa.inspect(sync)
    tables = set(inspector.get_table_names())
    columns = {column["name"] for column in inspector.get_columns("transitions")}
    referred = {table: {key["referred_table"] for key in inspector.get_foreign_keys(table)} for table in tables}
    return tables, columns, referred
