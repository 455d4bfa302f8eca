"""Sending from a locker and returns on SQLite and PostgreSQL: the drop-off's fields kept, the code looked up and kept
unique per locker, the whole flow through the use cases, senders racing for few compartments (no door given twice,
none in another carrier's share, a code typed twice at once opens one door), and migration 0008 on a database that
was there before it."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from db_samples import START, a_locker, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import alembic_config, current, head, upgrade
from parcellocker.adapters.db.tables import compartments, notifications, shipments
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier, Principal, Role
from parcellocker.domain.codes import hash_pickup_code, locker_code_key_purpose
from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import ConcurrencyConflict, LockerFull
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentKind, ShipmentState
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.security.sealing import unseal
from parcellocker.service.carrier_shares import SetCarrierShare, set_carrier_share
from parcellocker.service.collecting import CollectParcel, HandOverShipment, collect_parcel, hand_over_shipment
from parcellocker.service.context import Env, Services
from parcellocker.service.deposits import CompartmentOpened
from parcellocker.service.door_events import ReportDoor, report_door
from parcellocker.service.dropoffs import DropOffParcel, IssueDropoffCode, drop_off_parcel, issue_dropoff_code

CARRIER = Principal(Role.CARRIER, "carrier-1", carrier_id="carrier-1")
COURIER = Principal(Role.COURIER, "courier-1", carrier_id="carrier-1")
OPERATOR = Principal(Role.OPERATOR, "anna")
TERMINAL = Principal(Role.TERMINAL, "terminal-L-1", locker_id="L-1")
ACTOR = Actor(ActorKind.CARRIER, "carrier-1")
SENDER = Recipient(email="jan@example.org", language="pl")
# (senders, free compartments) per database: PostgreSQL as for deposits; SQLite, with its one writer, smaller.
RACES = {"postgresql": (120, 30), "sqlite": (30, 8)}


def _same(result: Any) -> Any:
    return result


def a_parcel_to_send(
    env: Env, tracking_number: str, code: str, *, carrier_id: str = "carrier-1", locker_id: str = "L-1"
) -> Shipment:
    """Announced for drop-off with `code` (its hash as the use case keeps it), written straight to the repository."""
    return Shipment.announce_dropoff(
        shipment_id=f"snd-{carrier_id}-{tracking_number}",
        tracking_number=tracking_number,
        carrier_id=carrier_id,
        locker_id=locker_id,
        parcel=ParcelSpec(Size.S),
        sender=SENDER,
        kind=ShipmentKind.SEND,
        code_hash=hash_pickup_code(env.keys.derive(locker_code_key_purpose(locker_id)), code),
        code_expires_at=START + timedelta(days=14),
        at=START,
        actor=ACTOR,
    )


async def test_a_parcel_to_send_is_kept_and_found_by_its_code(engine: AsyncEngine, env: Env) -> None:
    await add_locker_and_carrier(engine)
    sent = a_parcel_to_send(env, "SND-1", "517093")
    await announce(engine, sent, a_shipment("TN-1"))
    key = env.keys.derive(locker_code_key_purpose("L-1"))
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.by_dropoff_code("L-1", hash_pickup_code(key, "517093"))
        nothing = await uow.shipments.by_dropoff_code("L-1", hash_pickup_code(key, "517094"))
        delivery = (await uow.shipments.by_tracking_number("carrier-1", "TN-1"))[0]
    assert found is not None and nothing is None
    assert (found.kind, found.dropoff_code_hash, found.dropoff_code_expires_at) == (
        ShipmentKind.SEND,
        sent.dropoff_code_hash,
        START + timedelta(days=14),
    )
    assert (found.recipient, found.state) == (SENDER, ShipmentState.ANNOUNCED)
    assert (delivery.kind, delivery.dropoff_code_hash) == (ShipmentKind.DELIVERY, None)


async def test_two_live_drop_off_codes_of_one_locker_cannot_be_the_same(engine: AsyncEngine, env: Env) -> None:
    await add_locker_and_carrier(engine, a_locker("L-1"))
    await add_locker_and_carrier(engine, a_locker("L-2"), carrier_id="carrier-2")
    first = a_parcel_to_send(env, "SND-1", "517093")
    await announce(engine, first)
    twin = a_parcel_to_send(env, "SND-2", "517093")
    with pytest.raises(ConcurrencyConflict):  # the use case draws another code and tries again
        await announce(engine, twin)
    twin.dropoff_code_hash = first.dropoff_code_hash
    elsewhere = a_parcel_to_send(env, "SND-3", "517093", locker_id="L-2")  # another locker's code key and index
    await announce(engine, elsewhere)
    first.begin_deposit("L-1/1", Size.S)
    first.drop_off(START, ACTOR)  # its code dies: the same digits may be issued again
    async with SqlUnitOfWork(engine) as uow:
        await uow.shipments.save(first)
        await uow.commit()
    await announce(engine, a_parcel_to_send(env, "SND-4", "517093"))


async def test_the_whole_flow_through_the_use_cases(engine: AsyncEngine, services: Services, env: Env) -> None:
    await add_locker_and_carrier(engine)
    command = IssueDropoffCode(CARRIER, "SND-1", "L-1", ParcelSpec(Size.M), SENDER, ShipmentKind.RETURN)
    shipment: Shipment = await services.run(issue_dropoff_code, command, _same)
    async with engine.connect() as connection:
        rows = await connection.execute(sa.select(notifications).where(notifications.c.shipment_id == shipment.id))
        [message] = rows.mappings().all()
    assert (message["template"], message["address"], message["channel"]) == ("dropoff_code", "jan@example.org", "email")
    code = unseal(env.keys.derive("notification-seal"), message["sealed_payload"])["code"]

    opened: CompartmentOpened = await services.run(drop_off_parcel, DropOffParcel(TERMINAL, "L-1", code), _same)
    number = opened.compartment.number
    assert opened.compartment.size is Size.M
    for seq, door in enumerate((DoorState.OPEN, DoorState.CLOSED), start=1):
        await services.run(report_door, ReportDoor(TERMINAL, "L-1", number, door, seq), _same)
    async with SqlUnitOfWork(engine) as uow:
        kept = await uow.shipments.get(shipment.id)
        listed = await uow.shipments.awaiting_collection("carrier-1", "L-1")
        compartment = await uow.compartments.by_number("L-1", number)
    assert kept is not None and (kept.state, kept.dropoff_code_hash) == (ShipmentState.DROPPED_OFF, None)
    assert compartment is not None and compartment.state is CompartmentState.OCCUPIED
    assert [(p.tracking_number, p.compartment_number, p.state, p.kind, p.expired_at) for p in listed] == [
        ("SND-1", number, "dropped_off", "return", START)
    ]

    await services.run(collect_parcel, CollectParcel(COURIER, "L-1", "SND-1"), _same)
    await services.run(report_door, ReportDoor(TERMINAL, "L-1", number, DoorState.CLOSED, 3), _same)
    handed: Shipment = await services.run(hand_over_shipment, HandOverShipment(CARRIER, shipment.id), _same)
    assert (handed.state, handed.ended_at) == (ShipmentState.HANDED_TO_CARRIER, START)
    async with SqlUnitOfWork(engine) as uow:
        moves = [(t.from_state, t.to_state) for t in await uow.history.of_subject("shipment", shipment.id)]
        assert await uow.shipments.awaiting_collection("carrier-1", "L-1") == []
    assert moves == [
        (None, "announced"),
        ("announced", "dropped_off"),
        ("dropped_off", "collected"),
        ("collected", "handed_to_carrier"),
    ]


async def test_senders_racing_for_few_compartments_each_get_their_own_in_their_carriers_share_or_the_pool(
    engine: AsyncEngine, services: Services, env: Env
) -> None:
    senders, free = RACES[engine.dialect.name]
    other_share = 4  # compartments set aside for another carrier: no parcel of carrier-1 goes in them
    layout = f"S:{free // 2 + other_share},M:{free - free // 2 - 1},L:1"
    await add_locker_and_carrier(engine, a_locker("L-1", layout))
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-2", "Carrier Two"))
        await uow.commit()
    await services.run(
        set_carrier_share, SetCarrierShare(OPERATOR, "L-1", "carrier-2", sizes={Size.S: other_share}), _same
    )
    codes = [f"{700000 + n}" for n in range(senders)]
    await announce(engine, *(a_parcel_to_send(env, f"SND-{n:03d}", code) for n, code in enumerate(codes)))
    twice = codes[0]  # typed twice at once (a double tap): one door

    results: list[Any] = await asyncio.gather(
        *(services.run(drop_off_parcel, DropOffParcel(TERMINAL, "L-1", code), _same) for code in [*codes, twice]),
        return_exceptions=True,
    )

    opened = [r for r in results if isinstance(r, CompartmentOpened)]
    full = [r for r in results if isinstance(r, LockerFull)]
    assert [r for r in results if not isinstance(r, (CompartmentOpened, LockerFull))] == []
    doors = Counter(r.compartment.id for r in opened)
    assert len(doors) == free  # every free compartment of the pool given, none of the other carrier's share
    assert len(full) == senders + 1 - len(opened)
    print(f"\n{engine.dialect.name}: {len(opened)} opened, {len(full)} full, doors {len(doors)}")
    first_code = [r for r, code in zip(results, [*codes, twice], strict=True) if code == twice]
    if all(isinstance(r, CompartmentOpened) for r in first_code):
        assert first_code[0].compartment.id == first_code[1].compartment.id  # the same door, not two
    assert all(count == 1 for door, count in doors.items() if door != first_code[0].compartment.id)
    async with engine.connect() as connection:
        reserved = (
            await connection.execute(
                sa.select(compartments.c.id, compartments.c.reserved_for_carrier_id, compartments.c.shipment_id).where(
                    compartments.c.state == "reserved"
                )
            )
        ).all()
        held = (
            await connection.execute(
                sa.select(shipments.c.compartment_id, sa.func.count())
                .where(shipments.c.compartment_id.is_not(None))
                .group_by(shipments.c.compartment_id)
            )
        ).all()
    assert len(reserved) == free and all(row.reserved_for_carrier_id is None for row in reserved)
    assert len(held) == free and all(count == 1 for _, count in held)
    assert {row.compartment_id for row in held} == {row.id for row in reserved}


# The tables as revision 0007 holds them: only the columns these rows need.
_lockers_0007 = sa.table(
    "lockers",
    *(sa.column(name) for name in ("id", "name", "address", "timezone", "status", "opening_hours")),
    sa.column("inner_dimensions", sa.JSON),
)
_compartments_0007 = sa.table(
    "compartments",
    *(sa.column(name) for name in ("id", "locker_id", "number", "size", "size_rank", "board", "channel", "state")),
    *(sa.column(name) for name in ("door", "version", "reachable", "shipment_id")),
)
_carriers_0007 = sa.table("carriers", sa.column("id"), sa.column("name"))
_shipments_0007 = sa.table(
    "shipments",
    *(sa.column(name) for name in ("id", "tracking_number", "carrier_id", "locker_id", "parcel_size", "state")),
    *(sa.column(name) for name in ("recipient_email", "recipient_language", "version", "compartment_id")),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_notifications_0007 = sa.table(
    "notifications",
    *(sa.column(name) for name in ("id", "shipment_id", "channel", "address", "template", "language")),
    *(sa.column(name) for name in ("sealed_payload", "attempts")),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
)


async def _fill_at_0007(url: str) -> None:
    """A locker with a stored parcel and its message, as revision 0007 holds them."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                _lockers_0007.insert(),
                {"id": "L-1", "name": "Locker 1", "address": "1 Main St", "timezone": "UTC", "status": "offline"}
                | {"opening_hours": "24/7", "inner_dimensions": {"S": [80, 380, 640]}},
            )
            await connection.execute(
                _compartments_0007.insert(),
                [
                    {"id": f"L-1/{n}", "locker_id": "L-1", "number": n, "size": "S", "size_rank": 0, "board": 0}
                    | {"channel": n, "state": "free", "door": "closed", "version": 1, "reachable": False}
                    | {"shipment_id": None}
                    for n in (1, 2)
                ],
            )
            await connection.execute(_carriers_0007.insert(), {"id": "carrier-1", "name": "Carrier One"})
            await connection.execute(
                _shipments_0007.insert(),
                {"id": "s-1", "tracking_number": "TN-1", "carrier_id": "carrier-1", "locker_id": "L-1"}
                | {"parcel_size": "S", "state": "announced", "recipient_email": "ada@example.org"}
                | {"recipient_language": "en", "version": 1, "compartment_id": None, "created_at": START},
            )
            await connection.execute(
                _notifications_0007.insert(),
                {"id": "n-1", "shipment_id": "s-1", "channel": "email", "address": "ada@example.org"}
                | {"template": "parcel_stored", "language": "en", "sealed_payload": "sealed", "attempts": 0}
                | {"created_at": START, "next_attempt_at": START},
            )
    finally:
        await engine.dispose()


async def test_migration_0008_makes_earlier_shipments_deliveries_and_goes_down_in_place_once_drop_offs_ended(
    fresh_database: Any, database_kind: str, env: Env
) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url, "0007")
    await _fill_at_0007(url)
    upgrade(url)
    assert current(url) == head()
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(engine) as uow:
            earlier = await uow.shipments.get("s-1")
        assert earlier is not None and (earlier.kind, earlier.dropoff_code_hash) == (ShipmentKind.DELIVERY, None)
        live = a_parcel_to_send(env, "SND-1", "517093")
        await announce(engine, live)
    finally:
        await engine.dispose()

    # Below the rentals' 0010 first: on SQLite its downgrade is kept even when a later step is refused.
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0009")
    with pytest.raises(RuntimeError, match="1 parcels to send or return have not ended"):
        await asyncio.to_thread(command.downgrade, alembic_config(url), "0007")
    assert current(url) == "0009"  # nothing went down (0009, the webhooks', comes after it)

    engine = make_engine(url)
    try:
        live.cancel(START, ACTOR)
        async with SqlUnitOfWork(engine) as uow:
            await uow.shipments.save(live)
            await uow.commit()
    finally:
        await engine.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0007")
    assert current(url) == "0007"
    columns, count, referred, tables = await _shipment_facts(url)
    assert not {"kind", "dropoff_code_hash", "dropoff_code_expires_at"} & columns and count == 2
    # Dropped in place, not copied to a new table on SQLite: what pointed at the shipments still does.
    assert referred["notifications"] == {"shipments"} and referred["compartments"] == {"lockers"}
    assert all(targets <= tables for targets in referred.values()), referred
    upgrade(url)
    assert current(url) == head()


async def _shipment_facts(url: str) -> tuple[set[str], int, dict[str, set[str]], set[str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:

            def inspect(sync: sa.Connection) -> tuple[set[str], dict[str, set[str]], set[str]]:
                inspector = sa.inspect(sync)
                tables = set(inspector.get_table_names())
                columns = {column["name"] for column in inspector.get_columns("shipments")}
                referred = {t: {key["referred_table"] for key in inspector.get_foreign_keys(t)} for t in tables}
                return columns, referred, tables

            columns, referred, tables = await connection.run_sync(inspect)
            count = (await connection.execute(sa.select(sa.func.count()).select_from(_shipments_0007))).scalar()
            if engine.dialect.name == "sqlite":
                assert list((await connection.execute(sa.text("PRAGMA foreign_key_check"))).all()) == []
    finally:
        await engine.dispose()
    return columns, int(count or 0), referred, tables
