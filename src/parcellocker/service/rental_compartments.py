"""Which compartment a rental gets, race-safely, and giving it back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.errors import Conflict
from parcellocker.domain.events import Actor
from parcellocker.domain.rental import Rental
from parcellocker.domain.sizes import Size
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork

MAX_CANDIDATES = 20


class NoCompartmentForRent(Conflict):
    code = "no_compartment_for_rent"


async def claim_for_rental(
    uow: UnitOfWork,
    locker_id: str,
    sizes: Sequence[Size],
    starts_at: datetime,
    ends_at: datetime,
    *,
    free_now: bool,
    rental_id: str | None = None,
    number: int | None = None,
) -> Compartment:
    """A compartment of `sizes` kept for rentals that no other live rental holds in the window, locked for this unit
    of work (`free_now`: free at this moment too; `number`: that compartment only). Each one the claim offers is
    checked again once locked: on PostgreSQL a rental committed by a concurrent request after the claim's statement
    began is seen only then."""
    passed: list[str] = []
    for _ in range(MAX_CANDIDATES):
        compartment = await uow.rentals.claim_compartment(
            locker_id, sizes, starts_at, ends_at, free_now=free_now, passing_over=passed, number=number
        )
        if compartment is None:
            break
        if not await uow.rentals.holds_in_window(compartment.id, starts_at, ends_at, other_than=rental_id):
            return compartment
        passed.append(compartment.id)
    if number is not None:
        raise NoCompartmentForRent(f"compartment {number} is not free for rent for that time")
    wanted = " or ".join(size.value for size in sizes)
    raise NoCompartmentForRent(
        f"no compartment of size {wanted} is free for rent at this locker for that time; try another size or time"
    )


async def release_compartment(uow: UnitOfWork, env: Env, rental: Rental, actor: Actor, reason: str) -> None:
    """The compartment the rental held (while paid for, or handed over) is free again."""
    compartment = await uow.compartments.get(rental.compartment_id)
    if compartment is None or compartment.rental_id != rental.id:
        return
    if compartment.state in (CompartmentState.RESERVED, CompartmentState.OCCUPIED):
        compartment.end_rental(env.clock.now(), actor, reason)
        await uow.compartments.save(compartment)
