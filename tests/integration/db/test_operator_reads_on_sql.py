"""What the operator's views read on SQL (SQLite and PostgreSQL): the parcels on a locker's doors."""

from __future__ import annotations

from db_samples import START, a_locker, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.sizes import Size

COURIER = Actor(ActorKind.COURIER, "courier-1")


async def test_the_tracking_numbers_on_a_lockers_doors_are_read_in_one_go(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    await add_locker_and_carrier(engine, a_locker("L-2", "S:1"), carrier_id="carrier-2")
    first, second, elsewhere = a_shipment("TN-1"), a_shipment("TN-2", size=Size.M), a_shipment("TN-3", locker_id="L-2")
    await announce(engine, first, second, elsewhere)
    async with SqlUnitOfWork(engine) as uow:
        for shipment, compartment_id in ((first, "L-1/2"), (second, "L-1/3"), (elsewhere, "L-2/1")):
            compartment = await uow.compartments.get(compartment_id)
            assert compartment is not None
            compartment.reserve_for_deposit(shipment.id, START, COURIER)
            await uow.compartments.save(compartment)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.shipments.tracking_numbers_in("L-1") == {2: "TN-1", 3: "TN-2"}
        assert await uow.shipments.tracking_numbers_in("L-9") == {}
