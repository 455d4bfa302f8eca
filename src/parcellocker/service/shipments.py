"""Use cases of carriers: announcing shipments, following them, cancelling them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import NotFound, ParcelTooLarge
from parcellocker.domain.shipment import Recipient, Shipment
from parcellocker.domain.sizes import ParcelSpec
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class AnnounceShipment:
    by: Principal
    tracking_number: str
    locker_id: str
    parcel: ParcelSpec
    recipient: Recipient
    reachable_height: bool = False
    """The recipient needs a compartment within reach: those are offered first at the deposit."""


async def announce_shipment(cmd: AnnounceShipment, uow: UnitOfWork, env: Env) -> Shipment:
    require_role(cmd.by, Role.CARRIER)
    assert cmd.by.carrier_id is not None
    await check_locker_fits(uow, cmd.locker_id, cmd.parcel)
    shipment = Shipment.announce(
        shipment_id=str(uuid.uuid4()),
        tracking_number=cmd.tracking_number,
        carrier_id=cmd.by.carrier_id,
        locker_id=cmd.locker_id,
        parcel=cmd.parcel,
        recipient=cmd.recipient,
        at=env.clock.now(),
        actor=cmd.by.actor,
        reachable_height=cmd.reachable_height,
    )
    await uow.shipments.add(shipment)
    return shipment


async def check_locker_fits(uow: UnitOfWork, locker_id: str, parcel: ParcelSpec) -> None:
    """The locker exists (NotFound) and has compartments of a size the parcel fits in (ParcelTooLarge)."""
    sizes = await uow.lockers.sizes(locker_id)
    if sizes is None:
        raise NotFound(f"there is no locker {locker_id}")
    fitting = parcel.fitting_sizes(sizes.inner_dimensions)  # refuses a parcel that fits no size at all
    if not sizes.present & set(fitting):
        raise ParcelTooLarge(f"a parcel of {parcel.describe()} fits in no compartment of locker {locker_id}")


@dataclass(frozen=True, slots=True)
class GetShipment:
    by: Principal
    shipment_id: str


async def get_shipment(cmd: GetShipment, uow: UnitOfWork, env: Env) -> Shipment:
    return await visible_shipment(uow, cmd.by, cmd.shipment_id)


@dataclass(frozen=True, slots=True)
class FindShipments:
    by: Principal
    tracking_number: str


async def find_shipments(cmd: FindShipments, uow: UnitOfWork, env: Env) -> list[Shipment]:
    require_role(cmd.by, Role.CARRIER, Role.OPERATOR)
    carrier_id = cmd.by.carrier_id if cmd.by.role is Role.CARRIER else None
    return await uow.shipments.by_tracking_number(carrier_id, cmd.tracking_number.strip())


@dataclass(frozen=True, slots=True)
class CancelShipment:
    by: Principal
    shipment_id: str


async def cancel_shipment(cmd: CancelShipment, uow: UnitOfWork, env: Env) -> Shipment:
    require_role(cmd.by, Role.CARRIER, Role.OPERATOR)
    shipment = await visible_shipment(uow, cmd.by, cmd.shipment_id)
    shipment.cancel(env.clock.now(), cmd.by.actor)
    await uow.shipments.save(shipment)
    return shipment


async def visible_shipment(uow: UnitOfWork, by: Principal, shipment_id: str) -> Shipment:
    """The shipment if `by` may see it; otherwise the same NotFound as for a shipment that does not exist."""
    shipment = await uow.shipments.get(shipment_id)
    visible = shipment is not None and (
        by.role is Role.OPERATOR
        or (by.role in (Role.CARRIER, Role.COURIER) and shipment.carrier_id == by.carrier_id)
        or (by.role is Role.TERMINAL and shipment.locker_id == by.locker_id)
    )
    if shipment is None or not visible:
        raise NotFound(f"there is no shipment {shipment_id}")
    return shipment
