"""Operators taking a compartment out of service (damaged, dirty, a lock that sticks) and back, each audited."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import Compartment, CompartmentState, DoorState
from parcellocker.domain.errors import IllegalTransition, InvalidInput, NotFound
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork

MAX_REASON = 200


@dataclass(frozen=True, slots=True)
class TakeCompartmentOutOfOrder:
    by: Principal
    locker_id: str
    number: int
    reason: str


async def take_compartment_out_of_order(cmd: TakeCompartmentOutOfOrder, uow: UnitOfWork, env: Env) -> Compartment:
    """No parcel is put in it until it is returned to service. Refused while it holds a parcel or a deposit is
    under way in it, and when it is out of order already."""
    require_role(cmd.by, Role.OPERATOR)
    reason = " ".join(cmd.reason.split())
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(f"say why the compartment is out of order, in 1 to {MAX_REASON} characters")
    compartment = await _compartment(uow, cmd.locker_id, cmd.number)
    if compartment.state is CompartmentState.OUT_OF_ORDER:
        raise IllegalTransition(
            f"compartment {compartment.number} is out of order already ({compartment.out_of_order_reason})"
        )
    if compartment.state is CompartmentState.RESERVED:
        raise IllegalTransition(
            f"compartment {compartment.number} is open for a deposit under way; "
            "wait until the courier has closed it or moved the parcel elsewhere"
        )
    if compartment.state is CompartmentState.OCCUPIED:
        shipment = await uow.shipments.get(compartment.shipment_id) if compartment.shipment_id else None
        parcel = f"parcel {shipment.tracking_number}" if shipment is not None else "a parcel"
        raise IllegalTransition(
            f"compartment {compartment.number} holds {parcel}; it can be put out of order once the parcel is out "
            "(picked up, or collected by a courier)"
        )
    now = env.clock.now()
    compartment.take_out_of_order(now, cmd.by.actor, reason)
    await uow.compartments.save(compartment)
    details = {"reason": reason}
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "compartment.out_of_order", compartment.id, details))
    return compartment


@dataclass(frozen=True, slots=True)
class ReturnCompartmentToService:
    by: Principal
    locker_id: str
    number: int


async def return_compartment_to_service(cmd: ReturnCompartmentToService, uow: UnitOfWork, env: Env) -> Compartment:
    """Free again for parcels; refused unless it is out of order, and while its door stands open."""
    require_role(cmd.by, Role.OPERATOR)
    compartment = await _compartment(uow, cmd.locker_id, cmd.number)
    if compartment.state is CompartmentState.OUT_OF_ORDER and compartment.door is DoorState.OPEN:
        raise IllegalTransition(
            f"the door of compartment {compartment.number} is open; close it before returning it to service"
        )
    now = env.clock.now()
    compartment.return_to_service(now, cmd.by.actor)  # refuses a compartment that is not out of order
    await uow.compartments.save(compartment)
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "compartment.returned_to_service", compartment.id, {}))
    return compartment


async def _compartment(uow: UnitOfWork, locker_id: str, number: int) -> Compartment:
    compartment = await uow.compartments.by_number(locker_id, number)
    if compartment is None:
        raise NotFound(f"locker {locker_id} has no compartment {number}")
    return compartment
