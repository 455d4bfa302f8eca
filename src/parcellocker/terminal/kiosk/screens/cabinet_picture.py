"""The picture of the locker the kiosk shows to say where the open compartment is: the cabinet's columns of doors,
placed by `parcellocker.domain.cabinet.arrange` from the terminal's own compartments and sizes, so the picture has
the real columns (drawn in SVG units of one millimetre)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from parcellocker.domain.cabinet import COLUMN_TOP_MM, arrange
from parcellocker.domain.sizes import Size

COLUMN_WIDTH = 420
COLUMN_GAP = 16
MARGIN = 24


@dataclass(frozen=True, slots=True)
class DoorShape:
    number: int
    size: Size
    x: int
    y: int
    width: int
    height: int
    reachable: bool
    """Its floor is within reach of a person in a wheelchair (see domain/cabinet.py)."""

    @property
    def label_x(self) -> int:
        return self.x + self.width // 2

    @property
    def label_y(self) -> int:
        return self.y + self.height // 2


@dataclass(frozen=True, slots=True)
class CabinetPicture:
    width: int
    height: int
    ground_y: int
    columns: int
    doors: list[DoorShape]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def cabinet_picture(sizes: Mapping[int, Size]) -> CabinetPicture:
    """The picture of a cabinet whose compartments have these sizes (by number)."""
    placements = arrange(sizes.items())
    columns = max((placement.column for placement in placements), default=0) + 1
    doors = [
        DoorShape(
            placement.number,
            placement.size,
            MARGIN + placement.column * (COLUMN_WIDTH + COLUMN_GAP),
            MARGIN + COLUMN_TOP_MM - placement.top_mm,
            COLUMN_WIDTH,
            placement.height_mm,
            placement.reachable,
        )
        for placement in placements
    ]
    width = 2 * MARGIN + columns * COLUMN_WIDTH + (columns - 1) * COLUMN_GAP
    ground_y = MARGIN + COLUMN_TOP_MM
    return CabinetPicture(width, ground_y + MARGIN, ground_y, columns, doors)
