"""Shipments: round trips, unique tracking numbers and codes, one live shipment per compartment, versions."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from db_samples import START, a_shipment, add_locker_and_carrier, announce, history_of
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from statement_log import StatementLog

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier
from parcellocker.domain.compartment import CompartmentState
from parcellocker.domain.errors import ConcurrencyConflict, DuplicateTrackingNumber
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentState
from parcellocker.domain.sizes import Dimensions, ParcelSpec, Size

COURIER = Actor(ActorKind.COURIER, "courier-1")
TERMINAL = Actor(ActorKind.TERMINAL, "terminal-L-1")
CODE_HASH = "c0de" * 16


def _fields(shipment: Shipment) -> tuple[object, ...]:
    return tuple(getattr(shipment, name) for name in Shipment.__slots__ if name != "events")


async def _stored(engine: AsyncEngine, shipment: Shipment, compartment_id: str, code_hash: str) -> None:
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.get(shipment.id)
        assert found is not None
        found.begin_deposit(compartment_id, Size.S)
        found.store(code_hash, START + timedelta(hours=72), START, TERMINAL)
        await uow.shipments.save(found)
        await uow.commit()


async def _stored_in_l1_1(engine: AsyncEngine) -> None:
    """Shipment TN-1 stored in compartment L-1/1 with CODE_HASH."""
    await add_locker_and_carrier(engine)
    shipment = a_shipment("TN-1")
    await announce(engine, shipment)
    await _stored(engine, shipment, "L-1/1", CODE_HASH)


async def test_announced_shipment_round_trips_every_field(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    by_size = a_shipment("TN-1")
    by_dimensions = replace(
        a_shipment("TN-2"),
        parcel=ParcelSpec(dimensions=Dimensions(100, 200, 300)),
        recipient=Recipient(email="bob@example.org"),
    )
    await announce(engine, by_size, by_dimensions)
    assert by_size.events == [] and by_size.version == 0
    async with SqlUnitOfWork(engine) as uow:
        found = [await uow.shipments.get(s.id) for s in (by_size, by_dimensions)]
        assert await uow.shipments.get("no-such-shipment") is None
    assert [_fields(s) for s in found if s is not None] == [_fields(by_size), _fields(by_dimensions)]
    history = await history_of(engine, "shipment", by_size.id)
    assert [(t.from_state, t.to_state, t.reason) for t in history] == [(None, "announced", "announced by carrier")]


async def test_a_tracking_number_announced_twice_by_one_carrier_is_refused(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    await announce(engine, a_shipment("TN-1"))
    again = replace(a_shipment("TN-1"), id="shp-other")
    async with SqlUnitOfWork(engine) as uow:
        with pytest.raises(DuplicateTrackingNumber, match="TN-1 was already announced"):
            await uow.shipments.add(again)
            await uow.commit()


async def test_two_carriers_may_use_the_same_tracking_number(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-2", "Carrier Two"))
        await uow.commit()
    await announce(engine, a_shipment("TN-1"), a_shipment("TN-1", carrier_id="carrier-2"))
    async with SqlUnitOfWork(engine) as uow:
        everyone = await uow.shipments.by_tracking_number(None, "TN-1")
        of_one = await uow.shipments.by_tracking_number("carrier-2", "TN-1")
        assert await uow.shipments.by_tracking_number("carrier-1", "TN-9") == []
    assert sorted(s.carrier_id for s in everyone) == ["carrier-1", "carrier-2"]
    assert [s.carrier_id for s in of_one] == ["carrier-2"]


async def test_for_deposit_finds_the_carriers_shipment(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    await announce(engine, a_shipment("TN-1"))
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.for_deposit("carrier-1", "TN-1")
        assert await uow.shipments.for_deposit("carrier-2", "TN-1") is None
    assert found is not None and found.id == "shp-carrier-1-TN-1"


@pytest.mark.parametrize("written_before", [False, True], ids=["no-record-yet", "a-record"])
async def test_a_right_codes_lookup_brings_the_lockout_record_the_pickup_checks_next(
    engine: AsyncEngine, written_before: bool
) -> None:
    log = StatementLog(engine)  # before the first connection
    await _stored_in_l1_1(engine)
    if written_before:
        async with SqlUnitOfWork(engine) as uow:
            lockout = await uow.lockouts.get("pickup:L-1")
            lockout.record_failure(START, LockoutPolicy())
            await uow.lockouts.save(lockout)
            await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        alone = await uow.lockouts.get("pickup:L-1")
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.shipments.by_pickup_code("L-1", CODE_HASH, lockout_key="pickup:L-1") is not None
        await asyncio.sleep(0.02)  # asyncpg tells of a statement just after it
        before = len(log.sent)
        along = await uow.lockouts.get("pickup:L-1")
        await asyncio.sleep(0.02)
        assert log.sent[before:] == []  # no round trip of its own
        along.record_failure(START + timedelta(seconds=1), LockoutPolicy())
        await uow.lockouts.save(along)  # written as a record read on its own would be: by its version
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        kept = await uow.lockouts.get("pickup:L-1")
    assert (along.key, along.strikes, along.locked_until) == (alone.key, alone.strikes, alone.locked_until)
    assert kept.failures == [*alone.failures, START + timedelta(seconds=1)]


async def test_the_shipment_to_deposit_comes_with_its_lockers_sizes_in_the_same_statement(engine: AsyncEngine) -> None:
    log = StatementLog(engine)  # before the first connection
    await add_locker_and_carrier(engine)
    await announce(engine, a_shipment("TN-1"))
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.for_deposit("carrier-1", "TN-1")
        await asyncio.sleep(0.02)  # asyncpg tells of a statement just after it
        before = len(log.sent)
        sizes = await uow.lockers.sizes("L-1")
        await asyncio.sleep(0.02)
        assert log.sent[before:] == []  # the deposit's sizes: no round trip of their own
        again = await uow.lockers.sizes("L-1")  # taken once: read afresh the next time
    assert found is not None and found.tracking_number == "TN-1"
    assert sizes is not None and sizes == again
    assert sizes.present == {Size.S, Size.M, Size.L}  # a_locker's layout S:2,M:2,L:1


@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
async def test_the_shipment_to_deposit_is_locked_and_its_locker_is_not(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    await announce(engine, a_shipment("TN-1"))
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.shipments.for_deposit("carrier-1", "TN-1") is not None  # in its transaction (FOR UPDATE)
        async with engine.connect() as other:
            await other.execute(text("SET lock_timeout = '200ms'"))
            await other.execute(text("SELECT id FROM lockers WHERE id = 'L-1' FOR UPDATE"))  # not held
            with pytest.raises(DBAPIError, match="lock timeout"):
                await other.execute(text("SELECT id FROM shipments WHERE tracking_number = 'TN-1' FOR UPDATE"))


async def test_stored_shipment_is_found_by_its_code_hash_only_at_its_locker(engine: AsyncEngine) -> None:
    await _stored_in_l1_1(engine)
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.by_pickup_code("L-1", CODE_HASH)
        assert await uow.shipments.pickup_code_in_use("L-1", CODE_HASH)
        assert not await uow.shipments.pickup_code_in_use("L-1", "f" * 64)
        assert await uow.shipments.by_pickup_code("L-2", CODE_HASH) is None
    assert found is not None
    assert (found.state, found.compartment_id, found.deposited_size) == (ShipmentState.STORED, "L-1/1", Size.S)
    assert (found.stored_at, found.pickup_deadline, found.version) == (START, START + timedelta(hours=72), 1)
    assert found.pickup_deadline is not None and found.pickup_deadline.utcoffset() == timedelta(0)


async def test_the_compartment_of_a_shipment_found_by_its_code_comes_in_the_same_statement(engine: AsyncEngine) -> None:
    log = StatementLog(engine)  # before the first connection
    await _stored_in_l1_1(engine)
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.by_pickup_code("L-1", CODE_HASH)
        await asyncio.sleep(0.02)  # asyncpg tells of a statement just after it
        before = len(log.sent)
        compartment = await uow.compartments.get("L-1/1")
        await asyncio.sleep(0.02)
        assert log.sent[before:] == []  # the pickup's compartment: no round trip of its own
        assert compartment is not None and (compartment.id, compartment.version) == ("L-1/1", 0)
        compartment.take_out_of_order(START, TERMINAL, "wet")
        await uow.compartments.save(compartment)
        again = await uow.compartments.get("L-1/1")  # written meanwhile: read afresh, and the write with it
        await uow.commit()
    assert found is not None and found.compartment_id == "L-1/1"
    assert again is not None and (again.state, again.version) == (CompartmentState.OUT_OF_ORDER, 1)


async def test_a_second_live_shipment_cannot_take_the_same_compartment(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    first, second = a_shipment("TN-1"), a_shipment("TN-2")
    await announce(engine, first, second)
    await _stored(engine, first, "L-1/1", CODE_HASH)
    with pytest.raises(ConcurrencyConflict):
        await _stored(engine, second, "L-1/1", "d" * 64)


async def test_a_pickup_code_taken_at_the_same_locker_is_a_concurrency_conflict(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    first, second = a_shipment("TN-1"), a_shipment("TN-2")
    await announce(engine, first, second)
    await _stored(engine, first, "L-1/1", CODE_HASH)
    with pytest.raises(ConcurrencyConflict):
        await _stored(engine, second, "L-1/2", CODE_HASH)


async def test_a_picked_up_shipment_frees_its_code_and_compartment(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    first, second = a_shipment("TN-1"), a_shipment("TN-2")
    await announce(engine, first, second)
    await _stored(engine, first, "L-1/1", CODE_HASH)
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.get(first.id)
        assert found is not None
        found.pick_up(START, TERMINAL)
        await uow.shipments.save(found)
        await uow.commit()
    await _stored(engine, second, "L-1/1", CODE_HASH)
    history = await history_of(engine, "shipment", first.id)
    assert [t.to_state for t in history] == ["announced", "stored", "picked_up"]


async def test_saving_a_stale_shipment_raises_concurrency_conflict(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    shipment = a_shipment("TN-1")
    await announce(engine, shipment)
    async with SqlUnitOfWork(engine) as uow:
        stale = await uow.shipments.get(shipment.id)
    async with SqlUnitOfWork(engine) as uow:
        fresh = await uow.shipments.get(shipment.id)
        assert fresh is not None
        fresh.cancel(START, COURIER)
        await uow.shipments.save(fresh)
        await uow.commit()
    assert stale is not None
    stale.begin_deposit("L-1/1", Size.S)
    async with SqlUnitOfWork(engine) as uow:
        with pytest.raises(ConcurrencyConflict):
            await uow.shipments.save(stale)
            await uow.commit()
