"""The picture of a locker's cabinet on the dashboard: each door as a box placed as in the real cabinet (from
domain.cabinet's arrangement), in pixels."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.cabinet import COLUMN_TOP_MM, PLINTH_MM
from parcellocker.service.locker_grid import CompartmentCell, LockerGrid

PIXELS_PER_MM = 0.38
COLUMN_WIDTH = 200
GAP = 4


@dataclass(frozen=True, slots=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def style(self) -> str:
        return f"left: {self.left}px; top: {self.top}px; width: {self.width}px; height: {self.height}px"


@dataclass(frozen=True, slots=True)
class CabinetPicture:
    width: int
    height: int
    doors: list[tuple[CompartmentCell, Box]]

    @property
    def style(self) -> str:
        return f"width: {self.width}px; height: {self.height}px"

    @classmethod
    def of(cls, grid: LockerGrid) -> CabinetPicture:
        doors = []
        for cell in grid.cells:
            placement = cell.placement
            top = round((COLUMN_TOP_MM - placement.top_mm) * PIXELS_PER_MM)
            height = round(placement.height_mm * PIXELS_PER_MM) - GAP
            doors.append((cell, Box(placement.column * COLUMN_WIDTH, top, COLUMN_WIDTH - GAP, height)))
        standing = round((COLUMN_TOP_MM - PLINTH_MM) * PIXELS_PER_MM)
        height = max([standing, *(box.top + box.height for _, box in doors)])
        return cls(grid.columns * COLUMN_WIDTH, height, doors)
