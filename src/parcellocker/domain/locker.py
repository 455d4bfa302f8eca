"""A locker: a cabinet of numbered compartments at one place, and how its compartments are laid out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from parcellocker.domain.compartment import Compartment
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.sizes import DEFAULT_INNER_DIMENSIONS, Dimensions, Size, parse_size

ALWAYS_OPEN = "24/7"


class LockerStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    MAINTENANCE = "maintenance"


@dataclass(slots=True)
class Locker:
    id: str
    name: str
    address: str
    timezone: str = "UTC"
    latitude: float | None = None
    longitude: float | None = None
    status: LockerStatus = LockerStatus.OFFLINE
    opening_hours: str = ALWAYS_OPEN  # as told to recipients, e.g. "Mon-Sat 6:00-22:00"
    inner_dimensions: Mapping[Size, Dimensions] = field(default_factory=lambda: dict(DEFAULT_INNER_DIMENSIONS))
    compartments: list[Compartment] = field(default_factory=list)
    last_seen_at: datetime | None = None
    """When its terminal was last seen on the HTTP link (None: never, or its MQTT link tells its presence)."""

    def compartment_by_number(self, number: int) -> Compartment | None:
        return next((c for c in self.compartments if c.number == number), None)


@dataclass(frozen=True, slots=True)
class LayoutEntry:
    size: Size
    count: int


def parse_layout(text: str) -> list[LayoutEntry]:
    """Parse a layout such as "S:8,M:6,L:4" (sizes in the order their numbers are given)."""
    entries: list[LayoutEntry] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        size_text, sep, count_text = part.partition(":")
        if not sep or not (count_text.strip().isascii() and count_text.strip().isdigit()):
            raise InvalidInput(f"layout part {part!r} should look like 'M:6' (size, colon, count)")
        count = int(count_text)
        if not 1 <= count <= 500:
            raise InvalidInput(f"layout part {part!r}: a count is between 1 and 500")
        entries.append(LayoutEntry(parse_size(size_text), count))
    if not entries:
        raise InvalidInput("a layout needs at least one part, e.g. 'S:8,M:6,L:4'")
    return entries


@dataclass(frozen=True, slots=True)
class PlannedCompartment:
    number: int
    size: Size
    board: int
    channel: int


def plan_compartments(
    layout: list[LayoutEntry], *, locks_per_board: int = 16, first_board: int = 0
) -> list[PlannedCompartment]:
    """Number compartments 1..N in layout order and wire them to boards, `locks_per_board` each."""
    if not 1 <= locks_per_board <= 64:
        raise InvalidInput("a board has between 1 and 64 locks")
    planned: list[PlannedCompartment] = []
    number = 0
    for entry in layout:
        for _ in range(entry.count):
            number += 1
            board, offset = divmod(number - 1, locks_per_board)
            planned.append(PlannedCompartment(number, entry.size, first_board + board, offset + 1))
    return planned
