"""Migration 0010 (rentals) on both databases: up over a database in use, down again keeping what was there
(compartments changed in place, the notifications' partial index made again), and up once more."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import alembic_config, current, upgrade

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
_lockers = sa.table(
    "lockers",
    *(sa.column(name) for name in ("id", "name", "address", "timezone", "status")),
    sa.column("inner_dimensions", sa.JSON()),
)
_compartments = sa.table(
    "compartments",
    *(
        sa.column(name)
        for name in ("id", "locker_id", "number", "size", "size_rank", "board", "channel", "state", "door", "version")
    ),
)


async def _execute(url: str, *statements: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            return [await connection.execute(statement) for statement in statements]
    finally:
        await engine.dispose()


async def _read(url: str, statement: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(statement)).all())
    finally:
        await engine.dispose()


async def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: {c["name"] for c in sa.inspect(sync).get_columns(table)})
    finally:
        await engine.dispose()


async def _due_index(url: str, kind: str) -> str:
    """The definition of the outbox's partial index, as the database keeps it."""
    if kind == "sqlite":
        query = sa.text("SELECT sql FROM sqlite_master WHERE name = 'ix_notifications_due'")
    else:
        query = sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_notifications_due'")
    [(definition,)] = await _read(url, query)
    return str(definition)


async def test_migration_0010_goes_up_over_a_locker_in_use_down_again_and_up(
    fresh_database: Any, database_kind: str
) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url, "0009")
    dims = {"S": [80, 380, 640]}
    await _execute(
        url,
        _lockers.insert().values(
            id="L1", name="One", address="", timezone="UTC", status="online", inner_dimensions=dims
        ),
        _compartments.insert().values(
            [
                {
                    "id": f"L1/{n}",
                    "locker_id": "L1",
                    "number": n,
                    "size": "S",
                    "size_rank": 0,
                    "board": 0,
                    "channel": n,
                    "state": "free",
                    "door": "closed",
                    "version": 0,
                }
                for n in (1, 2)
            ]
        ),
    )
    upgrade(url, "0010")  # this migration's own revision, whatever comes after it
    assert current(url) == "0010"
    assert await _read(url, sa.text("SELECT number, use, rental_id FROM compartments ORDER BY number")) == [
        (1, "delivery", None),
        (2, "delivery", None),
    ]
    await _execute(
        url,
        sa.text("UPDATE compartments SET use = 'rental' WHERE number = 2"),
        sa.text(
            "INSERT INTO rentals (id, locker_id, compartment_id, compartment_number, size, origin, renter_language, "
            "starts_at, ends_at, created_at, price, currency, payment_method, state, last_opening, version) VALUES "
            "('R1', 'L1', 'L1/2', 2, 'S', 'walk_up', 'en', :at, :at, :at, 0, 'EUR', 'prepaid', 'booked', false, 1)"
        ).bindparams(at=AT.replace(tzinfo=None) if database_kind == "sqlite" else AT),
        sa.text(
            "INSERT INTO notifications (id, rental_id, channel, address, template, language, sealed_payload, "
            "created_at, attempts, next_attempt_at) VALUES ('N1', 'R1', 'sms', '+48600100200', 'rental_code', 'en', "
            "'sealed', :at, 0, :at)"
        ).bindparams(at=AT.replace(tzinfo=None) if database_kind == "sqlite" else AT),
    )
    assert "WHERE" in (await _due_index(url, database_kind)).upper()

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0009")
    assert current(url) == "0009"
    assert not {"use", "rental_id"} & await _columns(url, "compartments")
    assert "rental_id" not in await _columns(url, "notifications")
    assert await _read(url, sa.text("SELECT count(*) FROM compartments")) == [(2,)]
    assert await _read(url, sa.text("SELECT count(*) FROM notifications")) == [(0,)]
    assert "WHERE" in (await _due_index(url, database_kind)).upper()

    upgrade(url, "0010")  # this migration's own revision, whatever comes after it
    assert current(url) == "0010"
    assert "WHERE" in (await _due_index(url, database_kind)).upper()
