"""Sending a stored parcel to another locker: its code dies at once, a courier collects it (it is on the
collection list of its carrier's couriers at its locker), and once collected it is announced for the new locker,
where depositing it issues a new code."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import PendingAction
from parcellocker.domain.errors import Conflict, IllegalTransition, NotFound, ParcelTooLarge
from parcellocker.domain.shipment import Shipment, ShipmentState
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.shipments import visible_shipment
from parcellocker.service.terminal_commands import ask_terminal_to_sync_codes


@dataclass(frozen=True, slots=True)
class RedirectShipment:
    by: Principal
    shipment_id: str
    to_locker_id: str


async def redirect_shipment(cmd: RedirectShipment, uow: UnitOfWork, env: Env) -> Shipment:
    require_role(cmd.by, Role.CARRIER, Role.OPERATOR)
    shipment = await visible_shipment(uow, cmd.by, cmd.shipment_id)
    if shipment.state is not ShipmentState.STORED:
        raise IllegalTransition(
            f"only a parcel stored in a locker can be redirected; shipment {shipment.tracking_number} is "
            f"{shipment.state.value.replace('_', ' ')}"
        )
    sizes = await uow.lockers.sizes(cmd.to_locker_id)
    if sizes is None:
        raise NotFound(f"there is no locker {cmd.to_locker_id}")
    fitting = shipment.parcel.fitting_sizes(sizes.inner_dimensions)  # refuses a parcel that fits no size at all
    if shipment.deposited_size is not None:  # a courier found it needed this size here
        fitting = [size for size in fitting if size.rank >= shipment.deposited_size.rank]
    if not sizes.present & set(fitting):
        raise ParcelTooLarge(
            f"parcel {shipment.tracking_number} ({shipment.parcel.describe()}, in a size {shipment.deposited_size} "
            f"compartment now) fits in no compartment of locker {cmd.to_locker_id}"
        )
    assert shipment.compartment_id is not None
    compartment = await uow.compartments.get(shipment.compartment_id)
    assert compartment is not None
    if compartment.pending is PendingAction.PICKUP:
        raise Conflict(f"the recipient is taking parcel {shipment.tracking_number} out right now")
    now, actor = env.clock.now(), cmd.by.actor
    from_locker_id = shipment.locker_id
    shipment.redirect(now, actor, cmd.to_locker_id)
    await uow.shipments.save(shipment)
    # Its version moves on, so that a pickup checked against the code at this very moment loses the race.
    await uow.compartments.save(compartment)
    details = {"from_locker_id": from_locker_id, "to_locker_id": cmd.to_locker_id}
    await uow.audit.append(AuditRecord(now, str(actor), "shipment.redirected", shipment.id, details))
    await ask_terminal_to_sync_codes(uow, env, from_locker_id, str(actor))  # the code dies in its sheet too
    return shipment
