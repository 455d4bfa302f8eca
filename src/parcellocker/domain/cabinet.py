"""Where each compartment sits in the cabinet: columns of doors stacked top to bottom in number order, and which
doors a person in a wheelchair or of short stature can reach.

Real lockers number their doors column by column, from the top; a column is as tall as a person can load from
the ground. The picture of the locker on the kiosk and the choice of a compartment "at reachable height" both
come from this arrangement, so they always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from parcellocker.domain.sizes import DEFAULT_INNER_DIMENSIONS, Dimensions, Size

COLUMN_TOP_MM = 1_900
"""The top of the highest door above the ground."""
PLINTH_MM = 120
"""The lowest door's floor above the ground: a cabinet stands on a plinth."""
WALL_MM = 20
"""What a door adds to its compartment's inner height (frame and shelf)."""
REACH_LOW_MM = 380
REACH_HIGH_MM = 1_220
"""A compartment is within reach when its floor lies between these heights: the forward reach range of an
accessible design standard (15 to 48 inches)."""


@dataclass(frozen=True, slots=True)
class Placement:
    number: int
    size: Size
    column: int
    """0 is the leftmost column."""
    floor_mm: int
    """Height of the compartment's floor above the ground."""
    height_mm: int
    """Outer height of its door."""

    @property
    def top_mm(self) -> int:
        return self.floor_mm + self.height_mm

    @property
    def reachable(self) -> bool:
        return REACH_LOW_MM <= self.floor_mm <= REACH_HIGH_MM


def arrange(
    compartments: Iterable[tuple[int, Size]], inner: Mapping[Size, Dimensions] = DEFAULT_INNER_DIMENSIONS
) -> list[Placement]:
    """Stack the compartments, in number order, from the top of column 0 down; a door that would reach below the
    plinth starts the next column. `compartments` are (number, size) pairs."""
    placements: list[Placement] = []
    column, top = 0, COLUMN_TOP_MM
    for number, size in sorted(compartments):
        height = inner.get(size, DEFAULT_INNER_DIMENSIONS[size]).height_mm + WALL_MM
        if top - height < PLINTH_MM and top != COLUMN_TOP_MM:
            column, top = column + 1, COLUMN_TOP_MM
        placements.append(Placement(number, size, column, max(top - height, 0), height))
        top -= height
    return placements


def reachable_numbers(
    compartments: Iterable[tuple[int, Size]], inner: Mapping[Size, Dimensions] = DEFAULT_INNER_DIMENSIONS
) -> set[int]:
    """The numbers of the compartments within reach."""
    return {placement.number for placement in arrange(compartments, inner) if placement.reachable}
