"""Writes of a unit of work may be sent together (PostgreSQL): all or nothing, and seen by what comes after them."""

from __future__ import annotations

import pytest
from db_samples import START, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.compartment import CompartmentState
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.shipment import ShipmentState
from parcellocker.domain.sizes import Size

COURIER = Actor(ActorKind.COURIER, "courier-1")


async def test_when_one_of_the_writes_is_stale_none_of_them_is_kept(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    await announce(engine, a_shipment("TN-1"))
    async with SqlUnitOfWork(engine) as uow:
        stale = await uow.compartments.get("L-1/1")
    async with SqlUnitOfWork(engine) as uow:
        fresh = await uow.compartments.get("L-1/1")
        assert fresh is not None
        fresh.take_out_of_order(START, COURIER, "dirty")
        await uow.compartments.save(fresh)
        await uow.commit()
    assert stale is not None
    async with SqlUnitOfWork(engine) as uow:
        shipment = (await uow.shipments.by_tracking_number("carrier-1", "TN-1"))[0]
        shipment.begin_deposit("L-1/1", Size.S)
        stale.reserve_for_deposit(shipment.id, START, COURIER)
        with pytest.raises(ConcurrencyConflict):
            await uow.shipments.save(shipment)  # a fresh write ...
            await uow.compartments.save(stale)  # ... with a stale one
            await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        kept = (await uow.shipments.by_tracking_number("carrier-1", "TN-1"))[0]
        compartment = await uow.compartments.get("L-1/1")
    assert (kept.compartment_id, kept.version) == (None, 0)
    assert compartment is not None and compartment.state is CompartmentState.OUT_OF_ORDER


async def test_a_read_after_a_write_sees_it(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.shipments.add(a_shipment("TN-1"))
        found = await uow.shipments.by_tracking_number("carrier-1", "TN-1")
        await uow.commit()
    assert [shipment.state for shipment in found] == [ShipmentState.ANNOUNCED]


async def test_one_row_saved_twice_in_a_unit_of_work_keeps_the_second_change(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        compartment = await uow.compartments.get("L-1/1")
        assert compartment is not None
        compartment.reserve_for_deposit("shp-1", START, COURIER)
        await uow.compartments.save(compartment)
        compartment.release(START, COURIER, "parcel did not fit")
        await uow.compartments.save(compartment)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        kept = await uow.compartments.get("L-1/1")
    assert kept is not None and (kept.state, kept.version) == (CompartmentState.FREE, 2)


async def test_nothing_written_is_kept_without_a_commit(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.shipments.add(a_shipment("TN-1"))
        await uow.shipments.add(a_shipment("TN-2"))
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.shipments.by_tracking_number("carrier-1", "TN-1") == []
        assert await uow.shipments.by_tracking_number("carrier-1", "TN-2") == []
