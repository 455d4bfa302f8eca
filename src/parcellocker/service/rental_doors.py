"""A rented compartment's door closing: nothing changes, unless it was the rental's last opening, which ends it."""

from __future__ import annotations

from parcellocker.domain.accounts import Principal
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import Compartment
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork


async def rental_door_closed(uow: UnitOfWork, env: Env, by: Principal, compartment: Compartment) -> str:
    """Settle the renter's opening of `compartment` (its pending action is RENTAL); the door event's outcome."""
    rental = await uow.rentals.get(compartment.rental_id) if compartment.rental_id else None
    if rental is None or not rental.last_opening:
        compartment.renter_door_closed()
        return "recorded"
    now = env.clock.now()
    rental.end(now, by.actor, "emptied at its end")
    compartment.end_rental(now, by.actor, "door closed after the rental's last opening")
    await uow.rentals.save(rental)
    await uow.audit.append(AuditRecord(now, str(by.actor), "rental.ended", rental.id, {}))
    return "rental_ended"
