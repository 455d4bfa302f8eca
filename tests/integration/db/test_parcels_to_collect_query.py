"""The couriers' collection list on SQL: expired shipments of one carrier at one locker, with their compartment's
number and the time of their transition to `expired`."""

from __future__ import annotations

from datetime import timedelta

from db_samples import START, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier
from parcellocker.domain.events import SYSTEM, Actor, ActorKind
from parcellocker.domain.sizes import Size

TERMINAL = Actor(ActorKind.TERMINAL, "terminal-L-1")


async def _store_then_maybe_expire(engine: AsyncEngine, shipment_id: str, number: int, expire_after: int) -> None:
    """Stored in compartment `number` at START, and expired `expire_after` hours later (0: not expired)."""
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.get(shipment_id)
        assert found is not None
        found.begin_deposit(f"L-1/{number}", Size.S)
        found.store(f"{number:064x}", START, START, TERMINAL)
        if expire_after:
            found.expire(START + timedelta(hours=expire_after), SYSTEM)
        await uow.shipments.save(found)
        await uow.commit()


async def test_expired_parcels_of_the_carrier_at_the_locker_longest_expired_first(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-2", "Carrier Two"))
        await uow.commit()
    late, early, waiting = a_shipment("TN-LATE"), a_shipment("TN-EARLY"), a_shipment("TN-WAIT")
    other = a_shipment("TN-OTHER", carrier_id="carrier-2")
    await announce(engine, late, early, waiting, other)
    await _store_then_maybe_expire(engine, late.id, 1, expire_after=80)
    await _store_then_maybe_expire(engine, early.id, 2, expire_after=73)
    await _store_then_maybe_expire(engine, waiting.id, 3, expire_after=0)
    await _store_then_maybe_expire(engine, other.id, 4, expire_after=75)

    async with SqlUnitOfWork(engine) as uow:
        parcels = await uow.shipments.awaiting_collection("carrier-1", "L-1")
        elsewhere = await uow.shipments.awaiting_collection("carrier-1", "L-2")

    assert [(p.tracking_number, p.compartment_number, p.expired_at) for p in parcels] == [
        ("TN-EARLY", 2, START + timedelta(hours=73)),
        ("TN-LATE", 1, START + timedelta(hours=80)),
    ]
    assert elsewhere == []
