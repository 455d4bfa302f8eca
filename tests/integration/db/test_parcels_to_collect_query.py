"""The couriers' collection list on SQL: expired and redirected shipments of one carrier at one locker, with their
compartment's number and the time of their transition to that state."""

from __future__ import annotations

from datetime import timedelta

from db_samples import START, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier
from parcellocker.domain.events import SYSTEM, Actor, ActorKind
from parcellocker.domain.sizes import Size

TERMINAL = Actor(ActorKind.TERMINAL, "terminal-L-1")


async def _store_then_maybe_expire(
    engine: AsyncEngine, shipment_id: str, number: int, expire_after: int, redirect_after: int = 0
) -> None:
    """Stored in compartment `number` at START, and expired `expire_after` hours later (0: not expired), or
    redirected to locker L-2 `redirect_after` hours later."""
    async with SqlUnitOfWork(engine) as uow:
        found = await uow.shipments.get(shipment_id)
        assert found is not None
        found.begin_deposit(f"L-1/{number}", Size.S)
        found.store(f"{number:064x}", START + timedelta(hours=72), START, TERMINAL)
        if expire_after:
            found.expire(START + timedelta(hours=expire_after), SYSTEM)
        if redirect_after:
            found.redirect(START + timedelta(hours=redirect_after), TERMINAL, "L-2")
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

    assert [(p.tracking_number, p.compartment_number, p.expired_at, p.state) for p in parcels] == [
        ("TN-EARLY", 2, START + timedelta(hours=73), "expired"),
        ("TN-LATE", 1, START + timedelta(hours=80), "expired"),
    ]
    assert elsewhere == []


async def test_redirected_parcels_are_listed_with_the_expired_ones_since_their_redirect(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    expired, redirected, waiting = a_shipment("TN-EXP"), a_shipment("TN-REDIR"), a_shipment("TN-WAIT")
    await announce(engine, expired, redirected, waiting)
    await _store_then_maybe_expire(engine, expired.id, 1, expire_after=74)
    await _store_then_maybe_expire(engine, redirected.id, 2, expire_after=0, redirect_after=5)
    await _store_then_maybe_expire(engine, waiting.id, 3, expire_after=0)

    async with SqlUnitOfWork(engine) as uow:
        parcels = await uow.shipments.awaiting_collection("carrier-1", "L-1")

    assert [(p.tracking_number, p.compartment_number, p.expired_at, p.state) for p in parcels] == [
        ("TN-REDIR", 2, START + timedelta(hours=5), "redirected"),
        ("TN-EXP", 1, START + timedelta(hours=74), "expired"),
    ]
