"""Couriers collecting parcels that are not picked up (expired, or redirected to another locker) and parcels their
senders dropped off (to send or return); carriers confirming the return of the expired ones, and that they have
the dropped-off ones."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import Conflict, IllegalTransition, NotFound
from parcellocker.domain.shipment import TO_BE_COLLECTED_STATES, Shipment, ShipmentState
from parcellocker.service.context import Env
from parcellocker.service.deposits import CompartmentOpened
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.shipments import visible_shipment


@dataclass(frozen=True, slots=True)
class CollectParcel:
    by: Principal
    locker_id: str
    tracking_number: str


async def collect_parcel(cmd: CollectParcel, uow: UnitOfWork, env: Env) -> CompartmentOpened:
    """The compartment to open for the courier. When its door closes the parcel is `collected` (expired or
    dropped off) or announced for its new locker (redirected), and the compartment is free. Asking again gives the
    same door."""
    require_role(cmd.by, Role.COURIER)
    assert cmd.by.carrier_id is not None
    tracking_number = cmd.tracking_number.strip()
    shipment = await uow.shipments.for_deposit(cmd.by.carrier_id, tracking_number)
    if (shipment is None or shipment.locker_id != cmd.locker_id) and not await uow.lockers.exists(cmd.locker_id):
        raise NotFound(f"there is no locker {cmd.locker_id}")
    if shipment is None:
        raise NotFound(f"your carrier has no parcel {tracking_number!r}")
    if shipment.locker_id != cmd.locker_id:
        raise Conflict(f"parcel {shipment.tracking_number} is for locker {shipment.locker_id}, not this one")
    if shipment.state not in TO_BE_COLLECTED_STATES or shipment.compartment_id is None:
        raise IllegalTransition(
            f"parcel {shipment.tracking_number} is {shipment.state.value.replace('_', ' ')}: only parcels that "
            "expired or were redirected, or that their senders dropped off, are collected"
        )
    compartment = await uow.compartments.get(shipment.compartment_id)
    assert compartment is not None
    now = env.clock.now()
    compartment.open_for_collection(now, cmd.by.actor)
    await uow.compartments.save(compartment)
    details = {"tracking_number": shipment.tracking_number, "shipment_state": shipment.state.value}
    await uow.audit.append(
        AuditRecord(now, str(cmd.by.actor), "compartment.opened_for_collection", compartment.id, details)
    )
    return CompartmentOpened(shipment, compartment)


@dataclass(frozen=True, slots=True)
class ReturnShipment:
    by: Principal
    shipment_id: str


async def return_shipment(cmd: ReturnShipment, uow: UnitOfWork, env: Env) -> Shipment:
    """The carrier confirms a collected parcel is back with its sender: `returned`, and the shipment has ended."""
    require_role(cmd.by, Role.CARRIER, Role.OPERATOR)
    shipment = await visible_shipment(uow, cmd.by, cmd.shipment_id)
    if shipment.state is not ShipmentState.COLLECTED:
        raise IllegalTransition(
            f"only a collected parcel can be returned; shipment {shipment.tracking_number} is "
            f"{shipment.state.value.replace('_', ' ')}"
        )
    now = env.clock.now()
    shipment.mark_returned(now, cmd.by.actor)
    await uow.shipments.save(shipment)
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "shipment.returned", shipment.id, {}))
    return shipment


@dataclass(frozen=True, slots=True)
class HandOverShipment:
    by: Principal
    shipment_id: str


async def hand_over_shipment(cmd: HandOverShipment, uow: UnitOfWork, env: Env) -> Shipment:
    """The carrier confirms it has a parcel its sender dropped off and a courier collected: `handed_to_carrier`,
    and the shipment has ended (at this locker system: the carrier's own network takes it on)."""
    require_role(cmd.by, Role.CARRIER, Role.OPERATOR)
    shipment = await visible_shipment(uow, cmd.by, cmd.shipment_id)
    now = env.clock.now()
    shipment.hand_to_carrier(now, cmd.by.actor)
    await uow.shipments.save(shipment)
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "shipment.handed_to_carrier", shipment.id, {}))
    return shipment
