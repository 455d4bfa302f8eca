"""The lifecycle on SQLite and PostgreSQL: the new fields of a shipment kept, the scheduler's searches, pickup
policies, the outbox's payloads and erasure, and migration 0005 on a database that was there before it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from db_samples import START, a_shipment, add_locker_and_carrier, announce
from lifecycle_rig import KEYS, lifecycle_site
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import alembic_config, current, head, upgrade
from parcellocker.adapters.db.types import UtcDateTime
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.pickup_policy import PickupPolicy, PolicySubject
from parcellocker.domain.shipment import Shipment
from parcellocker.domain.sizes import Size
from parcellocker.security.sealing import unseal
from parcellocker.service.context import StoredReply
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel

HOUR = timedelta(hours=1)
ACTOR = Actor(ActorKind.SYSTEM, "parcellocker")


def _fields(shipment: Shipment) -> tuple[object, ...]:
    return tuple(getattr(shipment, name) for name in Shipment.__slots__ if name != "events")


async def test_the_lifecycle_fields_of_a_shipment_are_kept(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    redirected, erased = a_shipment("TN-1"), a_shipment("TN-2")
    await announce(engine, redirected, erased)
    for code_hash, shipment, compartment_id in (("a" * 64, redirected, "L-1/1"), ("b" * 64, erased, "L-1/2")):
        shipment.begin_deposit(compartment_id, Size.S)
        shipment.store(code_hash, START + 72 * HOUR, START, ACTOR, reminder_before=24 * HOUR)
    redirected.extend_deadline(48 * HOUR, START + HOUR, ACTOR, reminder_before=24 * HOUR)
    assert redirected.remind_at == START + 96 * HOUR
    async with SqlUnitOfWork(engine) as uow:
        await uow.shipments.save(redirected)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        extended = await uow.shipments.get(redirected.id)
    assert extended is not None and _fields(extended) == _fields(redirected)

    redirected.redirect(START + 2 * HOUR, ACTOR, "L-2")
    erased.pick_up(START + 3 * HOUR, ACTOR)
    erased.erase_personal_data(START + 800 * HOUR, ACTOR)
    async with SqlUnitOfWork(engine) as uow:
        await uow.shipments.save(redirected)
        await uow.shipments.save(erased)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        found = [await uow.shipments.get(s.id) for s in (redirected, erased)]
    assert [_fields(s) for s in found if s is not None] == [_fields(redirected), _fields(erased)]
    assert found[0] is not None and (found[0].extensions, found[0].redirect_to_locker_id) == (1, "L-2")
    assert found[1] is not None and found[1].recipient.erased and found[1].recipient.language == "pl"
    assert found[1].ended_at == START + 3 * HOUR


async def test_the_scheduler_finds_what_is_due_earliest_first_and_nothing_else(engine: AsyncEngine) -> None:
    site = await lifecycle_site(engine)
    await site.store("TN-1")
    site.clock.advance(HOUR)
    second, number = await site.store("TN-2")
    site.clock.advance(HOUR)
    await site.store("TN-3")  # stored at START + 2 h
    async with SqlUnitOfWork(engine) as uow:
        at_48 = [s.tracking_number for s in await uow.calendar.due_reminders(START + 48.5 * HOUR, 10)]
        at_51 = [s.tracking_number for s in await uow.calendar.due_reminders(START + 51 * HOUR, 10)]
        at_73 = [s.tracking_number for s in await uow.calendar.due_reminders(START + 73 * HOUR, 10)]
        expiring = [s.tracking_number for s in await uow.calendar.due_expiries(START + 73 * HOUR, 10)]
        first_only = [s.tracking_number for s in await uow.calendar.due_expiries(START + 73 * HOUR, 1)]
    # Stored an hour apart: reminders at 48, 49 and 50 h, deadlines at 72, 73 and 74 h; none past its deadline.
    assert (at_48, at_51, at_73) == (["TN-1"], ["TN-1", "TN-2", "TN-3"], ["TN-3"])
    assert (expiring, first_only) == (["TN-1", "TN-2"], ["TN-1"])

    # TN-2's recipient opens its door a minute before the deadline: the pickup settles it, not the expiry.
    site.clock.advance(72 * HOUR - 2 * HOUR - timedelta(minutes=1))
    await site.run(pick_up_parcel, PickUpParcel(site.terminal, site.locker_id, code=await _code_of(engine, second)))
    async with SqlUnitOfWork(engine) as uow:
        expiring = [s.tracking_number for s in await uow.calendar.due_expiries(START + 73 * HOUR, 10)]
    assert expiring == ["TN-1"]
    await site.door(number, DoorState.CLOSED)

    async with SqlUnitOfWork(engine) as uow:
        ended = [s.id for s in await uow.calendar.ended_before(site.clock.now() + timedelta(seconds=1), 10)]
        not_yet = await uow.calendar.ended_before(site.clock.now(), 10)
    assert (ended, not_yet) == ([second], [])


async def test_pickup_policies_are_kept_replaced_and_read_for_a_parcel_in_one_look(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    locker_policy = PickupPolicy(pickup_window=48 * HOUR, reminder_before=12 * HOUR)
    carrier_policy = PickupPolicy(extension=24 * HOUR)
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.pickup_policies.for_parcel("L-1", "carrier-1") == (None, None)
        await uow.pickup_policies.save(PolicySubject.LOCKER, "L-1", PickupPolicy(pickup_window=HOUR), START)
        await uow.pickup_policies.save(PolicySubject.LOCKER, "L-1", locker_policy, START)  # replaces it
        await uow.pickup_policies.save(PolicySubject.CARRIER, "carrier-1", carrier_policy, START)
        await uow.pickup_policies.save(PolicySubject.CARRIER, "L-1", PickupPolicy(extension=HOUR), START)  # a namesake
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.pickup_policies.for_parcel("L-1", "carrier-1") == (locker_policy, carrier_policy)
        assert await uow.pickup_policies.get(PolicySubject.LOCKER, "L-1") == locker_policy
        assert await uow.pickup_policies.get(PolicySubject.LOCKER, "L-2") is None


async def test_a_door_events_compartment_comes_with_the_pickup_policies_of_its_parcel(engine: AsyncEngine) -> None:
    """The door event's read of the compartment brings the locker's and the carrier's policies (preloaded.py): the
    same as reading them on their own, and a policy saved in between in the same unit of work is not hidden."""
    site = await lifecycle_site(engine)
    shipment_id, _ = await site.store("TN-1")
    locker_policy = PickupPolicy(pickup_window=48 * HOUR, reminder_before=12 * HOUR)
    async with SqlUnitOfWork(engine) as uow:
        shipment = await uow.shipments.get(shipment_id)
        assert shipment is not None and shipment.compartment_id is not None
        compartment = await uow.compartments.get(shipment.compartment_id)
        assert compartment is not None
        await uow.pickup_policies.save(PolicySubject.LOCKER, shipment.locker_id, locker_policy, START)
        await uow.pickup_policies.save(PolicySubject.LOCKER, shipment.carrier_id, PickupPolicy(extension=HOUR), START)
        await uow.commit()
    locker_id, carrier_id, number = shipment.locker_id, shipment.carrier_id, compartment.number

    async with SqlUnitOfWork(engine) as uow:
        assert await uow.compartments.by_number(locker_id, number) is not None
        assert await uow.pickup_policies.for_parcel(locker_id, carrier_id) == (locker_policy, None)
        assert await uow.pickup_policies.for_parcel(locker_id, carrier_id) == (locker_policy, None)  # read again

    carrier_policy = PickupPolicy(extension=24 * HOUR)
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.compartments.by_number(locker_id, number) is not None
        await uow.pickup_policies.save(PolicySubject.CARRIER, carrier_id, carrier_policy, START)
        assert await uow.pickup_policies.for_parcel(locker_id, carrier_id) == (locker_policy, carrier_policy)


async def test_the_outbox_gives_the_newest_payload_and_forgets_a_shipments_addresses(engine: AsyncEngine) -> None:
    site = await lifecycle_site(engine)
    shipment_id, _ = await site.store("TN-1")
    other_id, _ = await site.store("TN-2")
    code = await _code_of(engine, shipment_id)
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.latest_payload(shipment_id, "reminder") is None
        await uow.outbox.forget_personal_data(shipment_id)
        await uow.commit()
    async with engine.connect() as connection:
        query = sa.text("SELECT shipment_id, address, sealed_payload FROM notifications")
        rows = (await connection.execute(query)).all()
    assert {(row[1], row[2]) for row in rows if row[0] == shipment_id} == {("", "")}
    assert all(row[1] and row[2] for row in rows if row[0] == other_id)
    assert len(code) == 6


async def test_idempotency_replies_are_forgotten_before_a_cutoff(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.idempotency.add("carrier:c", "old", StoredReply("f" * 64, {"email": "ada@example.org"}), START)
        await uow.idempotency.add("carrier:c", "new", StoredReply("f" * 64, {}), START + HOUR)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.idempotency.forget_before(START + HOUR) == 1
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.idempotency.get("carrier:c", "old") is None
        assert await uow.idempotency.get("carrier:c", "new") is not None


@pytest.mark.postgres
async def test_a_due_shipment_held_by_one_scheduler_is_skipped_by_the_other(fresh_database: Any) -> None:
    engine = make_engine(await fresh_database("postgres"))
    try:
        site = await lifecycle_site(engine)
        for n in range(3):
            await site.store(f"TN-{n}")
            site.clock.advance(timedelta(minutes=1))
        due_at = site.clock.now() + 49 * HOUR
        async with SqlUnitOfWork(engine) as first, SqlUnitOfWork(engine) as second:
            held = [s.tracking_number for s in await first.calendar.due_reminders(due_at, 1)]
            # Without SKIP LOCKED the second search would wait for the first transaction: bounded here.
            others = [s.tracking_number for s in await asyncio.wait_for(second.calendar.due_reminders(due_at, 10), 10)]
        assert (held, others) == (["TN-0"], ["TN-1", "TN-2"])
    finally:
        await engine.dispose()


async def _code_of(engine: AsyncEngine, shipment_id: str) -> str:
    async with SqlUnitOfWork(engine) as uow:
        sealed = await uow.outbox.latest_payload(shipment_id, "parcel_stored")
    assert sealed is not None
    return str(unseal(KEYS.derive("notification-seal"), sealed)["code"])


# -- migration 0005 --------------------------------------------------------------------------------------------

_TEXT = ("id", "tracking_number", "carrier_id", "locker_id", "state", "parcel_size", "recipient_email")
_shipments_0004 = sa.table(
    "shipments",
    *(sa.column(name, sa.String()) for name in (*_TEXT, "recipient_language", "compartment_id")),
    *(sa.column(name, UtcDateTime()) for name in ("created_at", "stored_at", "pickup_deadline", "picked_up_at")),
    sa.column("version", sa.Integer()),
)
_notifications_0004 = sa.table(
    "notifications",
    *(sa.column(name, sa.String()) for name in ("id", "shipment_id", "channel", "address", "template", "language")),
    sa.column("sealed_payload", sa.String()),
    *(sa.column(name, UtcDateTime()) for name in ("created_at", "next_attempt_at")),
    sa.column("attempts", sa.Integer()),
)
_transitions_0004 = sa.table(
    "transitions",
    *(sa.column(name, sa.String()) for name in ("subject", "subject_id", "from_state", "to_state", "actor", "reason")),
    sa.column("at", UtcDateTime()),
    sa.column("details", sa.JSON()),
)


_lockers_0005 = sa.table(
    "lockers",
    *(sa.column(name) for name in ("id", "name", "address", "timezone", "status", "opening_hours")),
    sa.column("inner_dimensions", sa.JSON),
)
_compartments_0005 = sa.table(
    "compartments",
    *(sa.column(name) for name in ("id", "locker_id", "number", "size", "size_rank", "board", "channel", "state")),
    *(sa.column(name) for name in ("door", "version", "reachable")),
)
_carriers_0005 = sa.table("carriers", sa.column("id"), sa.column("name"))


async def _add_locker_and_carrier_as_0005_holds_them(engine: AsyncEngine) -> None:
    """Written with the tables of that revision, not the repositories, which know the columns of later ones."""
    async with engine.begin() as connection:
        await connection.execute(
            _lockers_0005.insert(),
            {"id": "L-1", "name": "Locker 1", "address": "1 Main St", "timezone": "UTC", "status": "offline"}
            | {"opening_hours": "24/7", "inner_dimensions": {"S": [80, 380, 640]}},
        )
        await connection.execute(
            _compartments_0005.insert(),
            [
                {"id": f"L-1/{n}", "locker_id": "L-1", "number": n, "size": "S", "size_rank": 0, "board": 0}
                | {"channel": n, "state": "occupied", "door": "closed", "version": 1, "reachable": False}
                for n in (1, 2)
            ],
        )
        await connection.execute(_carriers_0005.insert(), {"id": "carrier-1", "name": "Carrier One"})


async def _fill_at_0005(url: str) -> None:
    """A locker, a carrier, and three shipments as revision 0005 holds them: stored for 72 h, stored for 12 h (too
    short for a reminder), and picked up; the first one's message, which refers to it."""
    engine = make_engine(url)
    await _add_locker_and_carrier_as_0005_holds_them(engine)
    base = {"carrier_id": "carrier-1", "locker_id": "L-1", "parcel_size": "S", "recipient_email": "ada@example.org"}
    base |= {"recipient_language": "en", "created_at": START, "version": 1}
    rows = [
        base | {"id": "s-long", "tracking_number": "TN-1", "state": "stored", "compartment_id": "L-1/1"}
        | {"stored_at": START, "pickup_deadline": START + 72 * HOUR, "picked_up_at": None},
        base | {"id": "s-short", "tracking_number": "TN-2", "state": "stored", "compartment_id": "L-1/2"}
        | {"stored_at": START, "pickup_deadline": START + 12 * HOUR, "picked_up_at": None},
        base | {"id": "s-done", "tracking_number": "TN-3", "state": "picked_up", "compartment_id": None}
        | {"stored_at": START, "pickup_deadline": START + 72 * HOUR, "picked_up_at": START + 5 * HOUR},
    ]  # fmt: skip
    moves = [
        {"subject": "shipment", "subject_id": "s-done", "from_state": before, "to_state": after}
        | {"actor": "system:test", "reason": "test", "at": START + hours * HOUR, "details": {}}
        for before, after, hours in ((None, "announced", 0), ("announced", "stored", 1), ("stored", "picked_up", 5))
    ]
    try:
        async with engine.begin() as connection:
            await connection.execute(_shipments_0004.insert(), rows)
            await connection.execute(_transitions_0004.insert(), moves)
            await connection.execute(
                _notifications_0004.insert(),
                {"id": "n-long", "shipment_id": "s-long", "channel": "email", "address": "ada@example.org"}
                | {"template": "parcel_stored", "language": "en", "sealed_payload": "sealed", "attempts": 0}
                | {"created_at": START, "next_attempt_at": START},
            )
    finally:
        await engine.dispose()


async def test_migration_0006_plans_reminders_and_ends_for_shipments_already_there(
    fresh_database: Any, database_kind: str
) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url, "0005")
    await _fill_at_0005(url)
    upgrade(url)
    assert current(url) == head()
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(engine) as uow:
            found = {sid: await uow.shipments.get(sid) for sid in ("s-long", "s-short", "s-done")}
    finally:
        await engine.dispose()
    long, short, done = found["s-long"], found["s-short"], found["s-done"]
    assert long is not None and short is not None and done is not None
    assert (long.remind_at, short.remind_at, done.remind_at) == (START + 48 * HOUR, None, None)
    assert (long.ended_at, done.ended_at) == (None, START + 5 * HOUR)
    assert (long.extensions, done.personal_data_erased_at, done.recipient.email) == (0, None, "ada@example.org")


async def test_migration_0006_goes_back_down_to_0005_and_up_again(fresh_database: Any, database_kind: str) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url, "0005")
    await _fill_at_0005(url)
    upgrade(url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0005")
    assert current(url) == "0005"
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            tables, columns, referred = await connection.run_sync(_tables_columns_and_referred)
            count = (await connection.execute(sa.select(sa.func.count()).select_from(_shipments_0004))).scalar()
    finally:
        await engine.dispose()
    assert "pickup_policies" not in tables and not {"remind_at", "ended_at", "extensions"} & columns
    assert count == 3
    # The shipments were not copied to a new table on SQLite: what pointed at them still does.
    assert referred["notifications"] == {"shipments"}
    assert all(targets <= tables for targets in referred.values()), referred
    upgrade(url)
    assert current(url) == head()


def _tables_columns_and_referred(sync: sa.Connection) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """The tables, the columns of `shipments`, and the tables each table's foreign keys refer to."""
    inspector = sa.inspect(sync)
    tables = set(inspector.get_table_names())
    columns = {column["name"] for column in inspector.get_columns("shipments")}
    referred = {table: {key["referred_table"] for key in inspector.get_foreign_keys(table)} for table in tables}
    return tables, columns, referred
