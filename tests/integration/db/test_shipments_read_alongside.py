"""A shipment read alongside its compartment or its notification is the shipment as stored, never a stale copy."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from db_samples import START, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine
from statement_log import StatementLog

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.shipment import Shipment, ShipmentState
from parcellocker.domain.sizes import Size
from parcellocker.service.ports import Notification

COURIER = Actor(ActorKind.COURIER, "courier-1")


async def _in_compartment(engine: AsyncEngine) -> Shipment:
    """TN-1, being deposited into compartment 1 of L-1."""
    await add_locker_and_carrier(engine)
    shipment = a_shipment("TN-1")
    await announce(engine, shipment)
    async with SqlUnitOfWork(engine) as uow:
        compartment = await uow.compartments.get("L-1/1")
        found = await uow.shipments.get(shipment.id)
        assert compartment is not None and found is not None
        compartment.reserve_for_deposit(found.id, START, COURIER)
        found.begin_deposit(compartment.id, Size.S)
        await uow.compartments.save(compartment)
        await uow.shipments.save(found)
        await uow.commit()
    return found


async def test_the_shipment_in_a_compartment_reads_the_same_after_the_compartment(engine: AsyncEngine) -> None:
    shipment = await _in_compartment(engine)
    async with SqlUnitOfWork(engine) as uow:
        alone = await uow.shipments.get(shipment.id)
    async with SqlUnitOfWork(engine) as uow:
        compartment = await uow.compartments.by_number("L-1", 1)
        assert compartment is not None and compartment.shipment_id == shipment.id
        after = await uow.shipments.get(shipment.id)
        again = await uow.shipments.get(shipment.id)
    assert after == alone == again


async def test_a_shipment_saved_after_its_compartment_was_read_is_read_back_as_saved(engine: AsyncEngine) -> None:
    shipment = await _in_compartment(engine)
    async with SqlUnitOfWork(engine) as uow:
        mine = await uow.shipments.get(shipment.id)
        assert mine is not None
        await uow.compartments.by_number("L-1", 1)  # reads the shipment along, as it is before the save below
        mine.store("c" * 64, START + timedelta(hours=72), START, COURIER)
        await uow.shipments.save(mine)
        found = await uow.shipments.get(shipment.id)
        await uow.commit()
    assert found is not None and (found.state, found.version) == (ShipmentState.STORED, 2)


async def _with_a_due_notification(engine: AsyncEngine) -> tuple[Shipment, Notification]:
    """TN-1 in compartment 1 of L-1, and a message about it due from START."""
    shipment = await _in_compartment(engine)
    notification = Notification("n-1", shipment.id, "email", "ada@example.org", "parcel_stored", "pl", "sealed", START)
    async with SqlUnitOfWork(engine) as uow:
        await uow.outbox.add(notification)
        await uow.commit()
    return shipment, notification


async def test_the_shipment_of_a_due_notification_reads_the_same_after_it(engine: AsyncEngine) -> None:
    shipment, notification = await _with_a_due_notification(engine)
    async with SqlUnitOfWork(engine) as uow:
        alone = await uow.shipments.get(shipment.id)
    async with SqlUnitOfWork(engine) as uow:
        due = await uow.outbox.pending(10, START + timedelta(seconds=1))
        after = await uow.shipments.get(shipment.id)
    assert due == [notification]
    assert after == alone


async def test_the_locker_of_a_due_notification_comes_with_it_and_reads_the_same(engine: AsyncEngine) -> None:
    log = StatementLog(engine)  # before the first connection
    _, notification = await _with_a_due_notification(engine)
    async with SqlUnitOfWork(engine) as uow:
        alone = await uow.lockers.get("L-1", with_compartments=False)
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.pending(10, START + timedelta(seconds=1)) == [notification]
        await asyncio.sleep(0.02)  # asyncpg tells of a statement just after it
        before = len(log.sent)
        after = await uow.lockers.get("L-1", with_compartments=False)
        await asyncio.sleep(0.02)
        assert log.sent[before:] == []  # the message's locker: no round trip of its own
        with_compartments = await uow.lockers.get("L-1")  # not what was read along: read in full
    assert alone is not None and after == alone
    assert with_compartments is not None and len(with_compartments.compartments) == 5
