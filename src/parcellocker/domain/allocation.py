"""Choosing the compartment for a parcel: the smallest free size it fits, falling back to larger sizes; within reach
first for a recipient who needs it, and otherwise out of reach first, so that doors within reach stay free for
those who need them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from parcellocker.domain.compartment import Compartment, CompartmentState, CompartmentUse
from parcellocker.domain.errors import LockerFull
from parcellocker.domain.sizes import Size


def choose_compartment(
    candidates: Iterable[Compartment], fitting: Sequence[Size], *, reachable: bool = False
) -> Compartment:
    """The free compartment for parcels of the fitting sizes that comes first in `allocation_order` (compartments
    kept for rentals are never given to a parcel).

    `fitting` already holds every larger size too, so a full size falls back to the next one up.
    """
    usable = [
        c
        for c in candidates
        if c.state is CompartmentState.FREE and c.use is CompartmentUse.DELIVERY and c.size in fitting
    ]
    if not usable:
        raise locker_full(fitting)
    return min(usable, key=lambda c: allocation_order(c, reachable=reachable))


def allocation_order(compartment: Compartment, *, reachable: bool) -> tuple[int, int, int]:
    """The sort key of the compartments offered to a parcel, first one first (the database's claim sorts alike).

    With `reachable` (the recipient needs a door within reach): every compartment within reach, smallest size
    first, then the others, smallest size first. Without: smallest size first and, within a size, compartments
    out of reach before those within reach. Lowest number first among equals.
    """
    if reachable:
        return (int(not compartment.reachable), compartment.size.rank, compartment.number)
    return (compartment.size.rank, int(compartment.reachable), compartment.number)


def locker_full(fitting: Sequence[Size]) -> LockerFull:
    wanted = ", ".join(size.value for size in fitting)
    return LockerFull(f"this locker has no free compartment the parcel fits in (tried sizes {wanted})")


def sizes_after(fitting: Sequence[Size], too_small: Size) -> list[Size]:
    """The fitting sizes left when the parcel did not fit a compartment of size `too_small`."""
    return [size for size in fitting if size.rank > too_small.rank]
