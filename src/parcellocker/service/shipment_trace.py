"""Following a shipment through the lockers: where it is now, and every transition it went through."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.events import Transition
from parcellocker.domain.locker import Locker
from parcellocker.domain.shipment import Shipment
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.shipments import visible_shipment

MAX_TRACKING_NUMBER = 64


@dataclass(frozen=True, slots=True)
class ShipmentTrace:
    shipment: Shipment
    locker: Locker | None
    """The locker it is addressed to (without its compartments)."""
    compartment_number: int | None
    """The compartment it is in now, or is being put in; None when it is in none."""
    history: list[Transition]
    """Oldest first."""


@dataclass(frozen=True, slots=True)
class TraceShipments:
    by: Principal
    tracking_number: str


async def trace_shipments(cmd: TraceShipments, uow: UnitOfWork, env: Env) -> list[ShipmentTrace]:
    """Every carrier's shipments with this tracking number (operators see them all), oldest first."""
    require_role(cmd.by, Role.OPERATOR)
    tracking_number = cmd.tracking_number.strip()
    if not tracking_number or len(tracking_number) > MAX_TRACKING_NUMBER:
        raise InvalidInput(f"a tracking number is 1 to {MAX_TRACKING_NUMBER} characters")
    shipments = await uow.shipments.by_tracking_number(None, tracking_number)
    return [await _trace(uow, shipment) for shipment in shipments]


@dataclass(frozen=True, slots=True)
class ReadShipmentHistory:
    by: Principal
    shipment_id: str


async def read_shipment_history(cmd: ReadShipmentHistory, uow: UnitOfWork, env: Env) -> list[Transition]:
    """The transitions of a shipment the caller may see (a carrier its own), oldest first."""
    shipment = await visible_shipment(uow, cmd.by, cmd.shipment_id)
    return await uow.history.of_subject("shipment", shipment.id)


async def _trace(uow: UnitOfWork, shipment: Shipment) -> ShipmentTrace:
    compartment = await uow.compartments.get(shipment.compartment_id) if shipment.compartment_id else None
    return ShipmentTrace(
        shipment,
        await uow.lockers.get(shipment.locker_id, with_compartments=False),
        None if compartment is None else compartment.number,
        await uow.history.of_subject("shipment", shipment.id),
    )
