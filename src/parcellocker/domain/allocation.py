"""Choosing the compartment for a parcel: the smallest free size it fits, falling back to larger sizes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.errors import LockerFull
from parcellocker.domain.sizes import Size


def choose_compartment(candidates: Iterable[Compartment], fitting: Sequence[Size]) -> Compartment:
    """The free compartment of the smallest fitting size (lowest number among equals).

    `fitting` already holds every larger size too, so a full size falls back to the next one up.
    """
    usable = [c for c in candidates if c.state is CompartmentState.FREE and c.size in fitting]
    if not usable:
        raise locker_full(fitting)
    return min(usable, key=lambda c: (c.size.rank, c.number))


def locker_full(fitting: Sequence[Size]) -> LockerFull:
    wanted = ", ".join(size.value for size in fitting)
    return LockerFull(f"this locker has no free compartment the parcel fits in (tried sizes {wanted})")


def sizes_after(fitting: Sequence[Size], too_small: Size) -> list[Size]:
    """The fitting sizes left when the parcel did not fit a compartment of size `too_small`."""
    return [size for size in fitting if size.rank > too_small.rank]
