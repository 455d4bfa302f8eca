"""The state of every door and board on a bus, as last read: what the kiosk, alarms and the link read instead
of the serial port."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parcellocker.domain.compartment import DoorState
from parcellocker.terminal.doors.events import OpeningPurpose


@dataclass(frozen=True, slots=True)
class DoorStatus:
    compartment: int
    board: int
    channel: int
    door: DoorState | None
    """None until the door has been read once."""
    since: datetime | None
    """When the door was first seen in its current state (at start: the first read)."""
    item_present: bool | None
    """None where the board has no item sensor, or before the first read."""
    read_at: datetime | None
    """Time of the last good read of the door's board."""
    opened_for: OpeningPurpose | None
    """The purpose of the opening expected or in progress: the next close is attributed to it."""
    left_open: bool
    """DoorLeftOpen has been raised for the current opening."""

    @property
    def is_open(self) -> bool:
        return self.door is DoorState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.door is DoorState.CLOSED


class BoardCondition(StrEnum):
    UNKNOWN = "unknown"
    """Not read yet."""
    HEALTHY = "healthy"
    FAULTED = "faulted"


@dataclass(frozen=True, slots=True)
class BoardHealth:
    board: int
    condition: BoardCondition
    error: str | None
    """Why the board is faulted (None unless it is)."""
    since: datetime | None
    """When the board entered its condition."""
    last_answer: datetime | None

    @property
    def healthy(self) -> bool:
        return self.condition is BoardCondition.HEALTHY


@dataclass(frozen=True, slots=True)
class DoorSnapshot:
    """Read-only: `doors` by compartment number, `boards` by address."""

    doors: Mapping[int, DoorStatus]
    boards: Mapping[int, BoardHealth]
    taken_at: datetime | None
    """Time of the last change to the snapshot (None before the first read)."""

    def door(self, compartment: int) -> DoorStatus:
        return self.doors[compartment]

    def is_current(self, compartment: int) -> bool:
        """The door has been read and its board is answering, so its state can be trusted now."""
        status = self.doors[compartment]
        return status.door is not None and self.boards[status.board].healthy

    @property
    def open_doors(self) -> list[int]:
        return [number for number, status in sorted(self.doors.items()) if status.is_open]

    @property
    def faulted_boards(self) -> list[int]:
        return [address for address, board in sorted(self.boards.items()) if board.condition is BoardCondition.FAULTED]
