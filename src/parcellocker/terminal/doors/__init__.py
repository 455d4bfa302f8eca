"""Door monitoring on the locker: one `DoorCoordinator` per serial bus polls its lock boards, keeps a
`DoorSnapshot` of every door and turns changes into `DoorEvent`s."""

from parcellocker.terminal.doors.clock import Clock, SystemClock
from parcellocker.terminal.doors.coordinator import DoorCoordinator
from parcellocker.terminal.doors.errors import (
    BoardUnreachable,
    CompartmentDidNotOpen,
    DoorControlError,
    DoorsNotReconciled,
    UnknownCompartment,
)
from parcellocker.terminal.doors.events import (
    ALARMS,
    BoardFaulted,
    BoardRecovered,
    DoorClosed,
    DoorEvent,
    DoorForcedOpen,
    DoorFoundChanged,
    DoorLeftOpen,
    DoorOpened,
    LockDidNotOpen,
    OpeningPurpose,
)
from parcellocker.terminal.doors.feed import DoorEventFeed
from parcellocker.terminal.doors.settings import DoorMonitorSettings
from parcellocker.terminal.doors.snapshot import BoardCondition, BoardHealth, DoorSnapshot, DoorStatus
from parcellocker.terminal.doors.tracking import LastKnownDoor
from parcellocker.terminal.doors.wiring import BoardWiring, BusWiring, CompartmentWiring, WiringError

__all__ = [
    "ALARMS",
    "BoardCondition",
    "BoardFaulted",
    "BoardHealth",
    "BoardRecovered",
    "BoardUnreachable",
    "BoardWiring",
    "BusWiring",
    "Clock",
    "CompartmentDidNotOpen",
    "CompartmentWiring",
    "DoorClosed",
    "DoorControlError",
    "DoorCoordinator",
    "DoorEvent",
    "DoorEventFeed",
    "DoorForcedOpen",
    "DoorFoundChanged",
    "DoorLeftOpen",
    "DoorMonitorSettings",
    "DoorOpened",
    "DoorSnapshot",
    "DoorStatus",
    "DoorsNotReconciled",
    "LastKnownDoor",
    "LockDidNotOpen",
    "OpeningPurpose",
    "SystemClock",
    "UnknownCompartment",
    "WiringError",
]
