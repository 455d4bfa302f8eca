"""Use cases of couriers at a locker: putting parcels into compartments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import NoReturn

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.allocation import locker_full, sizes_after
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import Conflict, DomainError, LockerFull, NotFound, ParcelTooLarge
from parcellocker.domain.shipment import Shipment, ShipmentState
from parcellocker.domain.sizes import Size
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class DepositParcel:
    by: Principal
    locker_id: str
    tracking_number: str
    reachable: bool = False
    """The courier asks for a compartment within reach (the shipment may ask for one already)."""


@dataclass(frozen=True, slots=True)
class CompartmentOpened:
    """A compartment the terminal must open now, and for which shipment."""

    shipment: Shipment
    compartment: Compartment


async def deposit_parcel(cmd: DepositParcel, uow: UnitOfWork, env: Env) -> CompartmentOpened:
    require_role(cmd.by, Role.COURIER)
    shipment = await _shipment_to_deposit(uow, cmd.by, cmd.locker_id, cmd.tracking_number)
    if shipment.deposit_in_progress:  # the courier scanned the same parcel again: the same door
        assert shipment.compartment_id is not None
        compartment = await uow.compartments.get(shipment.compartment_id)
        assert compartment is not None
        return CompartmentOpened(shipment, compartment)
    if cmd.reachable:
        shipment.ask_for_reachable_height()
    sizes = await uow.lockers.sizes(cmd.locker_id)
    assert sizes is not None
    return await open_fitting_compartment(
        uow, env, cmd.by, shipment, shipment.parcel.fitting_sizes(sizes.inner_dimensions)
    )


class DepositProblem(StrEnum):
    DOES_NOT_FIT = "does_not_fit"
    DOOR_DID_NOT_OPEN = "door_did_not_open"


@dataclass(frozen=True, slots=True)
class ReportDepositProblem:
    by: Principal
    locker_id: str
    tracking_number: str
    problem: DepositProblem


async def report_deposit_problem(cmd: ReportDepositProblem, uow: UnitOfWork, env: Env) -> CompartmentOpened:
    """Move the courier to another compartment: a larger one, or one whose door works."""
    require_role(cmd.by, Role.COURIER)
    shipment = await _shipment_to_deposit(uow, cmd.by, cmd.locker_id, cmd.tracking_number)
    return await move_to_another_compartment(uow, env, cmd.by, shipment, cmd.problem)


async def move_to_another_compartment(
    uow: UnitOfWork, env: Env, by: Principal, shipment: Shipment, problem: DepositProblem
) -> CompartmentOpened:
    """The parcel going into a compartment (a courier's deposit or a sender's drop-off) does not fit it, or its
    door did not open: free it (or take it out of order, with an alarm) and open another that fits."""
    if not shipment.deposit_in_progress or shipment.compartment_id is None:
        first_step = "type its drop-off code first" if shipment.is_dropoff else "scan it first"
        raise Conflict(f"no compartment is open for parcel {shipment.tracking_number}; {first_step}")
    sizes = await uow.lockers.sizes(shipment.locker_id)
    first = await uow.compartments.get(shipment.compartment_id)
    assert sizes is not None and first is not None
    now, actor = env.clock.now(), by.actor
    fitting = shipment.parcel.fitting_sizes(sizes.inner_dimensions)
    if problem is DepositProblem.DOOR_DID_NOT_OPEN:
        first.take_out_of_order(now, actor, f"door did not open during a {_putting_in(shipment)}")
        who = "its sender" if shipment.is_dropoff else "a courier"
        await uow.alarms.add(
            Alarm(
                str(uuid.uuid4()),
                shipment.locker_id,
                AlarmKind.OUT_OF_ORDER,
                now,
                f"compartment {first.number}: door did not open for {who}",
                first.number,
            )
        )
        await uow.audit.append(
            AuditRecord(now, str(actor), "compartment.out_of_order", first.id, {"reason": "door did not open"})
        )
    else:
        first.release(now, actor, "parcel did not fit")
        fitting = sizes_after(fitting, first.size)
    await uow.compartments.save(first)
    shipment.abandon_deposit()
    if not fitting:
        too_large = ParcelTooLarge(f"parcel {shipment.tracking_number} does not fit even the largest compartment")
        await _keep_first_and_refuse(uow, shipment, too_large)
    try:
        return await open_fitting_compartment(uow, env, by, shipment, fitting)
    except LockerFull as full:
        await _keep_first_and_refuse(uow, shipment, full)


async def _keep_first_and_refuse(uow: UnitOfWork, shipment: Shipment, error: DomainError) -> NoReturn:
    """No other compartment to offer: still keep that the first one is out of order (with its alarm) or free
    again, and that the parcel waits for a compartment; then refuse."""
    await uow.shipments.save(shipment)
    await uow.commit()
    raise error


async def open_fitting_compartment(
    uow: UnitOfWork, env: Env, by: Principal, shipment: Shipment, fitting: list[Size]
) -> CompartmentOpened:
    """Claim the first free compartment of `fitting` for the parcel (race-safe: its carrier's share or the pool,
    within reach first if it asks for that) and open it for the parcel to go in; LockerFull if none is free."""
    compartment = await uow.compartments.claim_free(
        shipment.locker_id, fitting, carrier_id=shipment.carrier_id, reachable=shipment.reachable_height
    )
    if compartment is None:
        raise locker_full(fitting)
    now = env.clock.now()
    compartment.reserve_for_deposit(shipment.id, now, by.actor, f"opened for a {_putting_in(shipment)}")
    shipment.begin_deposit(compartment.id, compartment.size)
    await uow.compartments.save(compartment)
    await uow.shipments.save(shipment)
    await uow.audit.append(
        AuditRecord(
            now,
            str(by.actor),
            "compartment.opened_for_dropoff" if shipment.is_dropoff else "compartment.opened_for_deposit",
            compartment.id,
            {"tracking_number": shipment.tracking_number},
        )
    )
    return CompartmentOpened(shipment, compartment)


def _putting_in(shipment: Shipment) -> str:
    return "drop-off" if shipment.is_dropoff else "deposit"


async def _shipment_to_deposit(uow: UnitOfWork, by: Principal, locker_id: str, tracking_number: str) -> Shipment:
    assert by.carrier_id is not None
    shipment = await uow.shipments.for_deposit(by.carrier_id, tracking_number.strip())
    # A shipment meant for this locker proves it exists; otherwise it may not, and that is said first.
    if (shipment is None or shipment.locker_id != locker_id) and not await uow.lockers.exists(locker_id):
        raise NotFound(f"there is no locker {locker_id}")
    if shipment is None:
        raise NotFound(f"your carrier has announced no parcel {tracking_number.strip()!r}")
    if shipment.locker_id != locker_id:
        raise Conflict(f"parcel {shipment.tracking_number} is meant for locker {shipment.locker_id}, not this one")
    if shipment.state is not ShipmentState.ANNOUNCED:
        raise Conflict(f"parcel {shipment.tracking_number} is already {shipment.state.value.replace('_', ' ')}")
    if shipment.is_dropoff:
        raise Conflict(
            f"parcel {shipment.tracking_number} is put in by its sender with a drop-off code, not by a courier"
        )
    return shipment
