"""What a locker offers renters now: for each size it rents, how many compartments are free, their inner
dimensions, and the durations the kiosk offers with their prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from parcellocker.domain.accounts import Principal
from parcellocker.domain.compartment import CompartmentState, CompartmentUse
from parcellocker.domain.errors import NotFound
from parcellocker.domain.rental_terms import RentalTerms
from parcellocker.domain.sizes import DEFAULT_INNER_DIMENSIONS, Dimensions, Size
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_setup import require_rental_access
from parcellocker.service.rental_walk_up import terms_of


@dataclass(frozen=True, slots=True)
class DurationPrice:
    duration: timedelta
    price: int


@dataclass(frozen=True, slots=True)
class SizeOffer:
    size: Size
    free: int
    """Compartments of the size kept for rentals and free now (a booking ahead may still hold one later)."""
    dimensions: Dimensions
    per_hour: int
    per_day: int
    max_duration: timedelta
    durations: list[DurationPrice]


@dataclass(frozen=True, slots=True)
class RentalOffer:
    terms: RentalTerms
    sizes: list[SizeOffer]


@dataclass(frozen=True, slots=True)
class ReadRentalOffer:
    by: Principal
    locker_id: str


async def read_rental_offer(cmd: ReadRentalOffer, uow: UnitOfWork, env: Env) -> RentalOffer:
    await require_rental_access(uow, cmd.by, cmd.locker_id)
    terms = await terms_of(uow, cmd.locker_id)
    locker = await uow.lockers.get(cmd.locker_id)
    if locker is None:
        raise NotFound(f"there is no locker {cmd.locker_id}")
    rented = [c for c in locker.compartments if c.use is CompartmentUse.RENTAL]
    sizes = []
    for size in terms.sizes:
        if not any(c.size is size for c in rented):
            continue
        row = terms.price_of(size)
        free = sum(1 for c in rented if c.size is size and c.state is CompartmentState.FREE)
        durations = [DurationPrice(duration, row.price(duration)) for duration in terms.durations(size)]
        inner = locker.inner_dimensions.get(size, DEFAULT_INNER_DIMENSIONS[size])
        sizes.append(SizeOffer(size, free, inner, row.per_hour, row.per_day, row.max_duration, durations))
    return RentalOffer(terms, sizes)
