"""A locker site on a real database for the lifecycle tests: the real use cases, run by Services on the unit of work
the server uses (with the terminal link's records), a stopped clock the test moves, and helpers for the steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from db_samples import START, StoppedClock
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.terminal_link import SqlTerminalLinkUnitOfWork
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.shipment import Recipient
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.security.keys import ServerKeys
from parcellocker.service.accounts import AddCarrier, add_carrier
from parcellocker.service.context import Env, Policy, Services
from parcellocker.service.deposits import DepositParcel, deposit_parcel
from parcellocker.service.door_events import DoorEventApplied, ReportDoor, report_door
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.shipments import AnnounceShipment, announce_shipment

KEYS = ServerKeys.from_secret(bytes(range(32)))
OPERATOR = Principal(Role.OPERATOR, "op-1")
CARRIER = Principal(Role.CARRIER, "carrier-1", "carrier-1")
COURIER = Principal(Role.COURIER, "courier-1", "carrier-1")
RECIPIENT = Recipient(email="ada@example.org", phone="+48600700800", name="Ada", language="en")
T = TypeVar("T")


def same(result: T) -> T:
    return result


def services_on(engine: AsyncEngine, clock: StoppedClock) -> Services:
    """What one server process has: its own engine (its own connections), the shared clock and keys."""
    return Services(uow_factory=lambda: SqlTerminalLinkUnitOfWork(engine), env=Env(clock, KEYS, Policy()))


@dataclass(slots=True)
class LifecycleSite:
    services: Services
    clock: StoppedClock
    locker_id: str
    terminal: Principal
    _seq: int = 0

    async def run(self, use_case: Any, command: Any) -> Any:
        return await self.services.run(use_case, command, same)

    async def door(self, number: int, door: DoorState) -> DoorEventApplied:
        self._seq += 1
        applied: DoorEventApplied = await self.run(
            report_door, ReportDoor(self.terminal, self.locker_id, number, door, self._seq)
        )
        return applied

    async def store(self, tracking_number: str) -> tuple[str, int]:
        """Announce, deposit, close the door: (the shipment's id, its compartment number)."""
        command = AnnounceShipment(CARRIER, tracking_number, self.locker_id, ParcelSpec(Size.S), RECIPIENT)
        shipment = await self.run(announce_shipment, command)
        opened = await self.run(deposit_parcel, DepositParcel(COURIER, self.locker_id, tracking_number))
        await self.door(opened.compartment.number, DoorState.OPEN)
        assert (await self.door(opened.compartment.number, DoorState.CLOSED)).outcome == "parcel_stored"
        return shipment.id, opened.compartment.number


async def lifecycle_site(engine: AsyncEngine, layout: str = "S:4,M:2", locker_id: str = "L-1") -> LifecycleSite:
    clock = StoppedClock(START)
    services = services_on(engine, clock)
    locker = AddLocker(OPERATOR, "Central", "1 Main St", layout, locker_id, "Europe/Warsaw")
    await services.run(add_locker, locker, same)
    await services.run(add_carrier, AddCarrier(OPERATOR, "Carrier One", "carrier-1"), same)
    terminal = Principal(Role.TERMINAL, f"terminal-{locker_id}", locker_id=locker_id)
    return LifecycleSite(services, clock, locker_id, terminal)
