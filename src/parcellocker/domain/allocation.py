"""Choosing the compartment for a parcel: never one in another carrier's share; the carrier's own share before the
pool every carrier shares; the smallest free size it fits, falling back to larger sizes; within reach first for a
recipient who needs it, and otherwise out of reach first, so that doors within reach stay free for those who need
them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.errors import LockerFull
from parcellocker.domain.sizes import Size


def choose_compartment(
    candidates: Iterable[Compartment],
    fitting: Sequence[Size],
    *,
    reachable: bool = False,
    carrier_id: str | None = None,
) -> Compartment:
    """The free compartment of the fitting sizes, open to the parcel's carrier, that comes first in
    `allocation_order`.

    `fitting` already holds every larger size too, so a full size falls back to the next one up. A parcel of no
    carrier (`carrier_id` None) goes only into the pool.
    """
    usable = [c for c in candidates if c.state is CompartmentState.FREE and c.size in fitting and c.serves(carrier_id)]
    if not usable:
        raise locker_full(fitting)
    return min(usable, key=lambda c: allocation_order(c, reachable=reachable))


def allocation_order(compartment: Compartment, *, reachable: bool) -> tuple[int, int, int, int]:
    """The sort key of the compartments offered to a parcel, first one first (the database's claim sorts alike).

    Only for compartments that serve the parcel's carrier (`Compartment.serves`): a compartment in a share is then
    the carrier's own. Without `reachable`: the carrier's own share before the pool, then smallest size first and,
    within a size, compartments out of reach before those within reach. With `reachable` (the recipient needs a
    door within reach): every compartment within reach before the others, and within each of the two the
    carrier's own share before the pool, then smallest size first: a person's need comes before the share. Lowest
    number first among equals.
    """
    in_pool = int(compartment.reserved_for_carrier_id is None)
    if reachable:
        return (int(not compartment.reachable), in_pool, compartment.size.rank, compartment.number)
    return (in_pool, compartment.size.rank, int(compartment.reachable), compartment.number)


def locker_full(fitting: Sequence[Size]) -> LockerFull:
    wanted = ", ".join(size.value for size in fitting)
    return LockerFull(f"this locker has no free compartment the parcel fits in (tried sizes {wanted})")


def sizes_after(fitting: Sequence[Size], too_small: Size) -> list[Size]:
    """The fitting sizes left when the parcel did not fit a compartment of size `too_small`."""
    return [size for size in fitting if size.rank > too_small.rank]
