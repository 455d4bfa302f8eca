"""A lock board and a clock that the tests move by hand: no serial line, no real time."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from parcellocker.boards.port import BoardError, DoorReading, LockBoard, LockDidNotOpen
from parcellocker.terminal.doors import BusWiring, DoorCoordinator, DoorEvent, DoorEventFeed, DoorMonitorSettings

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self) -> None:
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return START + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return 1000.0 + self.elapsed

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


class FakeBoard(LockBoard):
    """Doors that a test opens and closes; an unlock pops the door ajar unless the lock is jammed."""

    def __init__(
        self, locks: int = 8, *, item_sensors: bool = False, clock: ManualClock | None = None, read_seconds: float = 0
    ) -> None:
        self._locks = locks
        self.clock = clock
        self.read_seconds = read_seconds
        """Time a read takes on `clock`."""
        self.springs = True
        """An unlock pops the door ajar; False: the latch fires but the door stays shut until pulled."""
        self.closed = dict.fromkeys(range(1, locks + 1), True)
        self.items: dict[int, bool] | None = dict.fromkeys(self.closed, False) if item_sensors else None
        self.jammed: set[int] = set()
        self.failure: BoardError | None = None
        self.unlock_failure: BoardError | None = None
        self.reads = 0
        self.unlocks: list[int] = []

    @property
    def locks(self) -> int:
        return self._locks

    async def open_lock(self, lock: int) -> None:
        self.check_lock(lock)
        self.unlocks.append(lock)
        if failure := self.unlock_failure or self.failure:
            raise failure
        if lock in self.jammed:
            raise LockDidNotOpen(f"lock {lock} is jammed")
        if self.springs:
            self.closed[lock] = False

    async def read_doors(self) -> dict[int, DoorReading]:
        self.reads += 1
        if self.clock is not None:
            self.clock.advance(self.read_seconds)
        if self.failure is not None:
            raise self.failure
        return {
            lock: DoorReading(closed, None if self.items is None else self.items[lock])
            for lock, closed in self.closed.items()
        }

    def open_door(self, lock: int) -> None:
        self.closed[lock] = False

    def close_door(self, lock: int) -> None:
        self.closed[lock] = True


WIRING = BusWiring.of({0: 8, 1: 8}, {n: (0, n) if n <= 6 else (1, n - 6) for n in range(1, 13)})
"""Compartments 1-6 on board 0 channels 1-6, 7-12 on board 1 channels 1-6; channels 7 and 8 unwired."""


@dataclass
class Locker:
    """A coordinator over two fake boards, with a manual clock and a subscriber's feed."""

    coordinator: DoorCoordinator
    clock: ManualClock
    boards: dict[int, FakeBoard]
    feed: DoorEventFeed

    @classmethod
    def build(cls, settings: DoorMonitorSettings | None = None, *, item_sensors: bool = False) -> "Locker":
        clock = ManualClock()
        boards = {address: FakeBoard(8, item_sensors=item_sensors, clock=clock) for address in (0, 1)}
        coordinator = DoorCoordinator(WIRING, boards, settings=settings, clock=clock)
        return cls(coordinator, clock, boards, coordinator.subscribe())

    def board_of(self, compartment: int) -> tuple[FakeBoard, int]:
        position = WIRING.position(compartment)
        return self.boards[position.board], position.channel

    def open_door(self, compartment: int) -> None:
        board, channel = self.board_of(compartment)
        board.open_door(channel)

    def close_door(self, compartment: int) -> None:
        board, channel = self.board_of(compartment)
        board.close_door(channel)

    async def poll_after(self, seconds: float) -> list[DoorEvent]:
        self.clock.advance(seconds)
        return await self.coordinator.poll()
