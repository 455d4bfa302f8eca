"""What the door coordinator tells its subscribers: facts about doors and boards, in the past tense.

Every event carries `at`, the UTC time the coordinator saw it (after the read that showed it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parcellocker.domain.compartment import DoorState


class OpeningPurpose(StrEnum):
    """Why the terminal opened a door; the close that follows is attributed to it."""

    DEPOSIT = "deposit"
    PICKUP = "pickup"
    COLLECT = "collect"
    SERVICE = "service"
    """Opened by an operator's command."""
    RENTAL = "rental"
    """Opened for the person renting the compartment (they may open it as often as they like)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorEvent:
    at: datetime


@dataclass(frozen=True, slots=True)
class DoorOpened(DoorEvent):
    compartment: int
    expected: bool
    """True when the terminal had opened the lock for a purpose; False comes with a DoorForcedOpen."""


@dataclass(frozen=True, slots=True)
class DoorClosed(DoorEvent):
    compartment: int
    after: OpeningPurpose | None
    """The purpose the door had been opened for, or None after a forced or unexplained opening."""


@dataclass(frozen=True, slots=True)
class DoorForcedOpen(DoorEvent):
    """A door opened with no command: an alarm."""

    compartment: int


@dataclass(frozen=True, slots=True)
class DoorLeftOpen(DoorEvent):
    """A door open past the limit (60 s by default): an alarm, raised once per opening."""

    compartment: int
    seconds: float


@dataclass(frozen=True, slots=True)
class LockDidNotOpen(DoorEvent):
    """The board says, or its sensor shows, that the lock stayed shut: the compartment should go out of order."""

    compartment: int


@dataclass(frozen=True, slots=True)
class BoardFaulted(DoorEvent):
    """A board stopped answering properly; its doors are not read until it recovers."""

    board: int
    reason: str


@dataclass(frozen=True, slots=True)
class BoardRecovered(DoorEvent):
    board: int


@dataclass(frozen=True, slots=True)
class DoorFoundChanged(DoorEvent):
    """At the first read of a door, it differs from what the terminal last knew (it changed while the terminal
    was down, or while its board was not answering at start)."""

    compartment: int
    was: DoorState
    now: DoorState


ALARMS = (DoorForcedOpen, DoorLeftOpen)
"""The events an operator must be alarmed by."""
