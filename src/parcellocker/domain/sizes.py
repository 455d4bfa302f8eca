"""Compartment size classes, their inner dimensions, and which sizes a parcel fits in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from parcellocker.domain.errors import InvalidInput, ParcelTooLarge


class Size(StrEnum):
    S = "S"
    M = "M"
    L = "L"
    XL = "XL"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def next_up(self) -> Size | None:
        """The next larger size class, or None for the largest."""
        position = self.rank + 1
        return _ORDER[position] if position < len(_ORDER) else None


_ORDER: list[Size] = [Size.S, Size.M, Size.L, Size.XL]


@dataclass(frozen=True, slots=True)
class Dimensions:
    """Height × width × depth in millimetres."""

    height_mm: int
    width_mm: int
    depth_mm: int

    def __post_init__(self) -> None:
        for name in ("height_mm", "width_mm", "depth_mm"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise InvalidInput(f"{name} must be a positive whole number of millimetres, got {value!r}")

    def fits_in(self, inner: Dimensions) -> bool:
        """True when a box of these dimensions fits in `inner`, turned any way (edges axis-aligned)."""
        mine = sorted((self.height_mm, self.width_mm, self.depth_mm))
        theirs = sorted((inner.height_mm, inner.width_mm, inner.depth_mm))
        return all(a <= b for a, b in zip(mine, theirs, strict=True))


# The common 3-size layout (80, 190, 410 mm high; 380 × 640 mm face) plus an XL.
DEFAULT_INNER_DIMENSIONS: Mapping[Size, Dimensions] = {
    Size.S: Dimensions(80, 380, 640),
    Size.M: Dimensions(190, 380, 640),
    Size.L: Dimensions(410, 380, 640),
    Size.XL: Dimensions(610, 500, 640),
}


@dataclass(frozen=True, slots=True)
class ParcelSpec:
    """What a carrier says about a parcel: a size class, its dimensions, or both."""

    size: Size | None = None
    dimensions: Dimensions | None = None

    def __post_init__(self) -> None:
        if self.size is None and self.dimensions is None:
            raise InvalidInput("a parcel needs a size (S, M, L, XL) or its dimensions in millimetres")

    def fitting_sizes(self, inner: Mapping[Size, Dimensions] = DEFAULT_INNER_DIMENSIONS) -> list[Size]:
        """Every size class this parcel fits in, smallest first. Raises ParcelTooLarge if none."""
        sizes = [size for size in _ORDER if size in inner]
        if self.size is not None:
            sizes = [size for size in sizes if size.rank >= self.size.rank]
        if self.dimensions is not None:
            dims = self.dimensions
            sizes = [size for size in sizes if dims.fits_in(inner[size])]
        if not sizes:
            raise ParcelTooLarge(f"a parcel of {self.describe()} fits in no compartment size")
        return sizes

    def describe(self) -> str:
        if self.dimensions is not None:
            d = self.dimensions
            return f"{d.height_mm} × {d.width_mm} × {d.depth_mm} mm"
        return f"size {self.size}"


def parse_size(text: str) -> Size:
    try:
        return Size(text.strip().upper())
    except ValueError:
        raise InvalidInput(f"unknown compartment size {text!r}; use one of S, M, L, XL") from None
