"""Sample lockers, carriers and shipments for the database tests, written straight through the repositories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.transitions import transitions_of
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.events import Actor, ActorKind, Transition
from parcellocker.domain.locker import Locker, parse_layout, plan_compartments
from parcellocker.domain.shipment import Recipient, Shipment
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.service.ports import Clock

START = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
CARRIER_ACTOR = Actor(ActorKind.CARRIER, "carrier-1")


class StoppedClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now += by


def a_locker(locker_id: str = "L-1", layout: str = "S:2,M:2,L:1") -> Locker:
    locker = Locker(id=locker_id, name=f"Locker {locker_id}", address="1 Station Square", timezone="Europe/Warsaw")
    locker.compartments = [
        Compartment(f"{locker_id}/{p.number}", locker_id, p.number, p.size, p.board, p.channel)
        for p in plan_compartments(parse_layout(layout))
    ]
    return locker


def a_shipment(
    tracking_number: str,
    *,
    locker_id: str = "L-1",
    carrier_id: str = "carrier-1",
    size: Size = Size.S,
    at: datetime = START,
) -> Shipment:
    return Shipment.announce(
        shipment_id=f"shp-{carrier_id}-{tracking_number}",
        tracking_number=tracking_number,
        carrier_id=carrier_id,
        locker_id=locker_id,
        parcel=ParcelSpec(size=size),
        recipient=Recipient(email="ada@example.org", phone="+48 600 700 800", name="Ada", language="pl"),
        at=at,
        actor=CARRIER_ACTOR,
    )


async def add_locker_and_carrier(
    engine: AsyncEngine, locker: Locker | None = None, carrier_id: str = "carrier-1"
) -> Locker:
    """A locker (by default `a_locker()`) and a carrier, committed."""
    locker = locker or a_locker()
    async with SqlUnitOfWork(engine) as uow:
        await uow.lockers.add(locker)
        await uow.accounts.add_carrier(Carrier(carrier_id, "Carrier One"))
        await uow.commit()
    return locker


async def announce(engine: AsyncEngine, *shipments: Shipment) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for shipment in shipments:
            await uow.shipments.add(shipment)
        await uow.commit()


async def history_of(engine: AsyncEngine, subject: str, subject_id: str) -> list[Transition]:
    """The transitions kept for one shipment or compartment, oldest first."""
    async with engine.connect() as connection:
        return await transitions_of(Transaction(connection), subject, subject_id)
