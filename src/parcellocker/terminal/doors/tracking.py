"""The rules that turn successive reads of a door, and the answers of a board, into events. No I/O here: the
coordinator feeds in readings and times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from parcellocker.boards.port import DoorReading
from parcellocker.domain.compartment import DoorState
from parcellocker.terminal.doors.events import (
    BoardFaulted,
    BoardRecovered,
    DoorClosed,
    DoorEvent,
    DoorForcedOpen,
    DoorFoundChanged,
    DoorLeftOpen,
    DoorOpened,
    OpeningPurpose,
)
from parcellocker.terminal.doors.snapshot import BoardCondition, BoardHealth, DoorStatus


@dataclass(frozen=True, slots=True)
class LastKnownDoor:
    """What the terminal last knew of a door before it stopped: its state, and the purpose it had opened it
    for if the door was open on purpose (so that a close after the restart is still attributed)."""

    door: DoorState
    opened_for: OpeningPurpose | None = None


@dataclass(slots=True)
class TrackedDoor:
    compartment: int
    board: int
    channel: int
    last_known: LastKnownDoor | None = None
    """Compared with the first read, then dropped."""
    door: DoorState | None = None
    since: datetime | None = None
    since_monotonic: float = 0.0
    item_present: bool | None = None
    read_at: datetime | None = None
    opened_for: OpeningPurpose | None = None
    """The purpose of the opening in progress (None for a forced or unexplained one)."""
    expected: OpeningPurpose | None = None
    """The purpose of an unlock whose effect is not seen yet (or that was sent while the door was open)."""
    expected_until: float = 0.0
    """Monotonic time after which an expected opening of a door still shut is no longer expected."""
    left_open: bool = False

    @property
    def purpose(self) -> OpeningPurpose | None:
        """What the next close will be attributed to."""
        return self.expected or self.opened_for

    def expect_opening(self, purpose: OpeningPurpose, until: float) -> None:
        self.expected = purpose
        self.expected_until = until

    def forget_expectation(self) -> None:
        self.expected = None

    def read(self, reading: DoorReading, at: datetime, monotonic: float, left_open_after: float) -> list[DoorEvent]:
        now = DoorState.CLOSED if reading.closed else DoorState.OPEN
        self.item_present = reading.item_present
        self.read_at = at
        if self.expected is not None and self.door is not DoorState.OPEN and monotonic > self.expected_until:
            self.forget_expectation()
        if self.door is None:
            events = self._first_read(now, at)
            self._enter(now, at, monotonic)
        elif self.door is not now:
            events = self._opened(at) if now is DoorState.OPEN else self._closed(at)
            self._enter(now, at, monotonic)
        else:
            events = []
        open_for = monotonic - self.since_monotonic
        if self.door is DoorState.OPEN and not self.left_open and open_for >= left_open_after:
            self.left_open = True
            events.append(DoorLeftOpen(self.compartment, round(open_for, 3), at=at))
        return events

    def status(self) -> DoorStatus:
        return DoorStatus(
            self.compartment,
            self.board,
            self.channel,
            self.door,
            self.since,
            self.item_present,
            self.read_at,
            self.purpose,
            self.left_open,
        )

    def _first_read(self, now: DoorState, at: datetime) -> list[DoorEvent]:
        known, self.last_known = self.last_known, None
        if known is None:
            return []
        if now is DoorState.OPEN and known.door is DoorState.OPEN:
            self.opened_for = known.opened_for
        if known.door is now:
            return []
        return [DoorFoundChanged(self.compartment, known.door, now, at=at)]

    def _opened(self, at: datetime) -> list[DoorEvent]:
        self.opened_for, self.expected = self.expected, None
        if self.opened_for is not None:
            return [DoorOpened(self.compartment, True, at=at)]
        return [DoorOpened(self.compartment, False, at=at), DoorForcedOpen(self.compartment, at=at)]

    def _closed(self, at: datetime) -> list[DoorEvent]:
        after = self.purpose
        self.opened_for = self.expected = None
        return [DoorClosed(self.compartment, after, at=at)]

    def _enter(self, door: DoorState, at: datetime, monotonic: float) -> None:
        self.door = door
        self.since = at
        self.since_monotonic = monotonic
        self.left_open = False


@dataclass(slots=True)
class TrackedBoard:
    address: int
    condition: BoardCondition = BoardCondition.UNKNOWN
    error: str | None = None
    since: datetime | None = None
    last_answer: datetime | None = None
    retry_at: float = 0.0
    """Monotonic time before which a faulted board is not read again by the polling."""
    failures: int = 0
    """Failed reads in a row."""
    reported: bool = False
    """Whether BoardFaulted was raised for the failures going on (then BoardRecovered follows them)."""

    def due(self, monotonic: float) -> bool:
        return self.condition is not BoardCondition.FAULTED or monotonic >= self.retry_at

    def answered(self, at: datetime) -> list[DoorEvent]:
        self.last_answer = at
        if self.condition is BoardCondition.HEALTHY:
            return []
        recovered = self.reported
        self.condition, self.error, self.since = BoardCondition.HEALTHY, None, at
        self.failures, self.reported = 0, False
        return [BoardRecovered(self.address, at=at)] if recovered else []

    def failed(self, reason: str, at: datetime, retry_at: float, report_after: int = 1) -> list[DoorEvent]:
        """The board is faulted at once (read again only at `retry_at`); BoardFaulted is raised once it has failed
        `report_after` reads in a row."""
        self.error = reason
        self.retry_at = retry_at
        self.failures += 1
        if self.condition is not BoardCondition.FAULTED:
            self.condition, self.since = BoardCondition.FAULTED, at
        if self.reported or self.failures < report_after:
            return []
        self.reported = True
        return [BoardFaulted(self.address, reason, at=at)]

    def health(self) -> BoardHealth:
        return BoardHealth(self.address, self.condition, self.error, self.since, self.last_answer)
