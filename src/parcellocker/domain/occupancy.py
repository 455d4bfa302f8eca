"""How full a locker is: its compartments in use (reserved for a deposit under way, or holding a parcel), per size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.sizes import Size

IN_USE = frozenset({CompartmentState.RESERVED, CompartmentState.OCCUPIED})
"""The states in which a compartment counts as used: it cannot be given to another parcel."""


@dataclass(frozen=True, slots=True)
class SizeFill:
    """The compartments of one size of a locker, by what they are doing now."""

    size: Size
    total: int
    in_use: int
    out_of_order: int

    @property
    def free(self) -> int:
        return self.total - self.in_use - self.out_of_order

    @property
    def ratio(self) -> float:
        """In use over all compartments of the size (those out of order count in the total)."""
        return self.in_use / self.total if self.total else 0.0


def fill_by_size(compartments: Iterable[Compartment]) -> list[SizeFill]:
    """One entry for each size the compartments have, smallest size first."""
    totals: dict[Size, list[int]] = {}
    for compartment in compartments:
        counts = totals.setdefault(compartment.size, [0, 0, 0])
        counts[0] += 1
        counts[1] += compartment.state in IN_USE
        counts[2] += compartment.state is CompartmentState.OUT_OF_ORDER
    return [SizeFill(size, *totals[size]) for size in sorted(totals, key=lambda size: size.rank)]
