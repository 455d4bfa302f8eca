"""A link that tests script, boards whose doors tests open and close, and a terminal store in a temp folder."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from parcellocker.boards.port import DoorReading, LockBoard, LockDidNotOpen
from parcellocker.domain.codes import hash_pickup_code
from parcellocker.terminal.doors import BusWiring, DoorCoordinator, DoorMonitorSettings
from parcellocker.terminal.link.port import (
    CodeSheet,
    Command,
    CompartmentToOpen,
    EventReceipt,
    Greeting,
    Link,
    LinkDown,
    LinkError,
    OutboxEvent,
    ParcelToCollect,
    SheetCode,
)
from parcellocker.terminal.store import TerminalStore

LOCKER = "L-TEST"
LOCKER_KEY = b"k" * 32
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def sheet_code(compartment: int, code: str, shipment_id: str, deadline: datetime | None = None) -> SheetCode:
    return SheetCode(compartment, hash_pickup_code(LOCKER_KEY, code), deadline or NOW + timedelta(days=3), shipment_id)


class FakeLink(Link):
    """Answers what a test put in its fields; `down` makes every call fail as an unreachable server would."""

    def __init__(self) -> None:
        self.down = False
        self.sent: list[OutboxEvent] = []
        self.applied: set[int] = set()
        self.refuse: dict[int, LinkError] = {}
        """seq -> the error its delivery raises."""
        self.last_seq: int | None = None
        self.qr_public_key = b"q" * 32
        self.sheet = CodeSheet(LOCKER_KEY, b"q" * 32, [], "v1")
        self.commands: deque[Command] = deque()
        self.acknowledged: list[tuple[int, str, str | None]] = []
        self.pickup_answer: CompartmentToOpen | LinkError | None = None
        self.pickups: list[tuple[str | None, str | None]] = []
        self.deposit_answer: CompartmentToOpen | LinkError | None = None
        self.deposits: list[tuple[str, bool]] = []
        """(tracking number, reachable) of each deposit asked for."""
        self.reopen_answer: LinkError | None = None
        self.reopenings: list[tuple[str, int]] = []
        self.to_collect: list[ParcelToCollect] = []
        self.collect_answer: CompartmentToOpen | LinkError | None = None
        self.collections: list[tuple[str, str]] = []
        """(courier token, tracking number) of each collection asked for."""
        self.dropoff_answer: CompartmentToOpen | LinkError | None = None
        self.dropoffs: list[tuple[str, bool]] = []
        """(code, reachable) of each drop-off asked for."""
        self.dropoff_problems: list[tuple[str, str]] = []

    def _check(self) -> None:
        if self.down:
            raise LinkDown("connection refused")

    async def greet(self) -> Greeting:
        self._check()
        return Greeting(self.last_seq, self.qr_public_key)

    async def send_event(self, event: OutboxEvent) -> EventReceipt:
        self._check()
        if event.seq in self.refuse:
            raise self.refuse[event.seq]
        self.sent.append(event)
        replayed = event.seq in self.applied
        self.applied.add(event.seq)
        return EventReceipt(event.seq, "recorded", replayed)

    async def fetch_code_sheet(self) -> CodeSheet:
        self._check()
        return self.sheet

    async def next_commands(self, after: int, wait: float) -> list[Command]:
        self._check()
        return [command for command in self.commands if command.id > after]

    async def acknowledge_command(self, command_id: int, outcome: str, detail: str | None) -> None:
        self._check()
        self.acknowledged.append((command_id, outcome, detail))

    async def pick_up(self, *, code: str | None = None, qr_token: str | None = None) -> CompartmentToOpen:
        self._check()
        self.pickups.append((code, qr_token))
        return self._answer(self.pickup_answer)

    async def sign_in_courier(self, courier_id: str, pin: str) -> str:
        self._check()
        return f"token-of-{courier_id}"

    async def deposit(self, courier_token: str, tracking_number: str, reachable: bool = False) -> CompartmentToOpen:
        self._check()
        self.deposits.append((tracking_number, reachable))
        return self._answer(self.deposit_answer)

    async def report_deposit_problem(self, courier_token: str, tracking_number: str, problem: str) -> CompartmentToOpen:
        self._check()
        return self._answer(self.deposit_answer)

    async def reopen_after_pickup(self, shipment_id: str, compartment: int) -> None:
        self._check()
        self.reopenings.append((shipment_id, compartment))
        if self.reopen_answer is not None:
            raise self.reopen_answer

    async def parcels_to_collect(self, courier_token: str) -> list[ParcelToCollect]:
        self._check()
        return list(self.to_collect)

    async def collect(self, courier_token: str, tracking_number: str) -> CompartmentToOpen:
        self._check()
        self.collections.append((courier_token, tracking_number))
        return self._answer(self.collect_answer)

    async def drop_off(self, code: str, reachable: bool = False) -> CompartmentToOpen:
        self._check()
        self.dropoffs.append((code, reachable))
        return self._answer(self.dropoff_answer)

    async def report_dropoff_problem(self, code: str, problem: str) -> CompartmentToOpen:
        self._check()
        self.dropoff_problems.append((code, problem))
        return self._answer(self.dropoff_answer)

    async def close(self) -> None:
        pass

    def _answer(self, answer: CompartmentToOpen | LinkError | None) -> CompartmentToOpen:
        if isinstance(answer, LinkError):
            raise answer
        assert answer is not None, "the test did not say what the server answers"
        return answer


class FakeBoard(LockBoard):
    """Doors that a test opens and closes; an unlock pops the door ajar unless the lock is jammed."""

    def __init__(self, locks: int = 8) -> None:
        self._locks = locks
        self.closed = dict.fromkeys(range(1, locks + 1), True)
        self.jammed: set[int] = set()
        self.unlocks: list[int] = []

    @property
    def locks(self) -> int:
        return self._locks

    async def open_lock(self, lock: int) -> None:
        self.unlocks.append(lock)
        if lock in self.jammed:
            raise LockDidNotOpen(f"lock {lock} is jammed")
        self.closed[lock] = False

    async def read_doors(self) -> dict[int, DoorReading]:
        return {lock: DoorReading(closed) for lock, closed in self.closed.items()}


WIRING = BusWiring.of({0: 8}, {n: (0, n) for n in range(1, 9)})


def coordinator_on(board: FakeBoard, **settings: Any) -> DoorCoordinator:
    return DoorCoordinator(WIRING, {0: board}, settings=DoorMonitorSettings(**settings))


def open_store(folder: Path) -> TerminalStore:
    return TerminalStore.open(folder / "terminal.db")
