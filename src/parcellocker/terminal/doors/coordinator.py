"""One coordinator per serial bus: it alone talks to the bus's boards. It polls every board, keeps the
`DoorSnapshot` that everything else reads, turns changes into `DoorEvent`s for its subscribers, and opens
compartments on request."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from types import MappingProxyType

from parcellocker.boards import port
from parcellocker.boards.port import BoardError, LockBoard
from parcellocker.terminal.doors.clock import Clock, SystemClock
from parcellocker.terminal.doors.errors import (
    BoardUnreachable,
    CompartmentDidNotOpen,
    DoorsNotReconciled,
    UnknownCompartment,
)
from parcellocker.terminal.doors.events import (
    ALARMS,
    BoardFaulted,
    DoorEvent,
    LockDidNotOpen,
    OpeningPurpose,
)
from parcellocker.terminal.doors.feed import DoorEventFeed
from parcellocker.terminal.doors.settings import DoorMonitorSettings
from parcellocker.terminal.doors.snapshot import DoorSnapshot
from parcellocker.terminal.doors.tracking import LastKnownDoor, TrackedBoard, TrackedDoor
from parcellocker.terminal.doors.wiring import BusWiring, WiringError

log = logging.getLogger(__name__)

_LOGGED_AS_WARNINGS = (*ALARMS, LockDidNotOpen, BoardFaulted)


class DoorCoordinator:
    def __init__(
        self,
        wiring: BusWiring,
        boards: Mapping[int, LockBoard],
        *,
        settings: DoorMonitorSettings | None = None,
        clock: Clock | None = None,
    ) -> None:
        """`boards`: the driver of each board of `wiring`, by address, all on the same `Bus`."""
        _check_drivers(wiring, boards)
        self.wiring = wiring
        self.settings = settings or DoorMonitorSettings()
        self._clock: Clock = clock or SystemClock()
        self._drivers = dict(boards)
        self._boards = {board.address: TrackedBoard(board.address) for board in wiring.boards}
        self._doors = {c.number: TrackedDoor(c.number, c.board, c.channel) for c in wiring.compartments}
        self._doors_of = {address: [d for d in self._doors.values() if d.board == address] for address in self._boards}
        self._board_locks = {address: asyncio.Lock() for address in self._boards}
        self._feeds: list[DoorEventFeed] = []
        self._reconciled = False
        self._polling: asyncio.Task[None] | None = None
        self._snapshot = self._take_snapshot(changed=False)

    @property
    def snapshot(self) -> DoorSnapshot:
        """Every door and board as last read; a new immutable object after each read."""
        return self._snapshot

    @property
    def reconciled(self) -> bool:
        return self._reconciled

    @property
    def polling(self) -> bool:
        """The background polling started by `start` is running."""
        return self._polling is not None and not self._polling.done()

    def subscribe(self) -> DoorEventFeed:
        """A new feed of every event from now on (see `feed` for how to read it)."""
        feed = DoorEventFeed(self._feeds.remove)
        self._feeds.append(feed)
        return feed

    async def reconcile(self, last_known: Mapping[int, LastKnownDoor] | None = None) -> list[DoorEvent]:
        """The first read of every board, before anything is served. Each door is compared with `last_known`
        (compartments of other buses are ignored) and DoorFoundChanged is raised where it differs; a door of a
        board that does not answer now is compared when its board first answers."""
        if self._reconciled:
            raise RuntimeError("the doors of this bus have been reconciled already")
        for number, known in (last_known or {}).items():
            if number in self._doors:
                self._doors[number].last_known = known
        events: list[DoorEvent] = []
        for address in self._boards:
            events += await self._poll_board(address)
        self._reconciled = True
        return events

    async def poll(self) -> list[DoorEvent]:
        """One round: read every board once, except a faulted one not due for a retry yet and one busy opening
        a lock (which is read right after the unlock anyway)."""
        events: list[DoorEvent] = []
        for address, board in self._boards.items():
            if board.due(self._clock.monotonic()) and not self._board_locks[address].locked():
                events += await self._poll_board(address)
        return events

    async def run(self, last_known: Mapping[int, LastKnownDoor] | None = None) -> None:
        """Reconcile unless done, then poll a round every `poll_interval` s until cancelled."""
        if not self._reconciled:
            await self.reconcile(last_known)
        try:
            while True:
                started = self._clock.monotonic()
                await self.poll()
                elapsed = self._clock.monotonic() - started
                await self._clock.sleep(max(0.0, self.settings.poll_interval - elapsed))
        except Exception:
            log.exception("door polling stopped by an unexpected error")
            raise

    async def start(self, last_known: Mapping[int, LastKnownDoor] | None = None) -> list[DoorEvent]:
        """Reconcile, then keep polling in the background until `stop`; returns the reconcile's events."""
        if self._polling is not None:
            raise RuntimeError("door polling has been started already")
        events = await self.reconcile(last_known)
        self._polling = asyncio.create_task(self.run(), name="door polling")
        return events

    async def stop(self) -> None:
        if self._polling is None:
            return
        polling, self._polling = self._polling, None
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling

    async def open_compartment(self, number: int, purpose: OpeningPurpose) -> None:
        """Unlock compartment `number` for `purpose` and read its board straight after. The next opening of the
        door is expected (for `opening_grace` s) and its close is attributed to `purpose`.

        Raises CompartmentDidNotOpen (after publishing LockDidNotOpen) when the lock stayed shut, and
        BoardUnreachable when the board did not answer: then the lock may have fired, so the opening stays
        expected."""
        if not self._reconciled:
            raise DoorsNotReconciled("the doors must be read (reconcile) before any is opened")
        door = self._door(number)
        async with self._board_locks[door.board]:
            door.expect_opening(purpose, self._clock.monotonic() + self.settings.opening_grace)
            try:
                await self._drivers[door.board].open_lock(door.channel)
            except port.LockDidNotOpen as error:
                door.forget_expectation()
                at = self._clock.now()
                self._publish([*self._boards[door.board].answered(at), LockDidNotOpen(number, at=at)])
                await self._read_board(door.board)
                raise CompartmentDidNotOpen(number, str(error)) from error
            except BoardError as error:
                self._publish(self._board_failed(door.board, error))
                raise BoardUnreachable(number, door.board, str(error)) from error
            await self._read_board(door.board)

    def _door(self, number: int) -> TrackedDoor:
        try:
            return self._doors[number]
        except KeyError:
            raise UnknownCompartment(f"compartment {number} is not wired on this bus") from None

    async def _poll_board(self, address: int) -> list[DoorEvent]:
        async with self._board_locks[address]:
            return await self._read_board(address)

    async def _read_board(self, address: int) -> list[DoorEvent]:
        """Read one board (its lock held) and publish what changed."""
        try:
            readings = await self._drivers[address].read_doors()
        except BoardError as error:
            events = self._board_failed(address, error)
        else:
            at, monotonic = self._clock.now(), self._clock.monotonic()
            events = self._boards[address].answered(at)
            for door in self._doors_of[address]:
                events += door.read(readings[door.channel], at, monotonic, self.settings.left_open_after)
        self._publish(events)
        return events

    def _board_failed(self, address: int, error: BoardError) -> list[DoorEvent]:
        reason = f"{type(error).__name__}: {error}"
        retry_at = self._clock.monotonic() + self.settings.faulted_board_retry
        return self._boards[address].failed(
            reason, self._clock.now(), retry_at, report_after=self.settings.faulted_after_failures
        )

    def _publish(self, events: list[DoorEvent]) -> None:
        self._snapshot = self._take_snapshot(changed=True)
        for event in events:
            log.log(logging.WARNING if isinstance(event, _LOGGED_AS_WARNINGS) else logging.INFO, "door event %s", event)
            for feed in self._feeds:
                feed.publish(event)

    def _take_snapshot(self, *, changed: bool) -> DoorSnapshot:
        return DoorSnapshot(
            MappingProxyType({number: door.status() for number, door in self._doors.items()}),
            MappingProxyType({address: board.health() for address, board in self._boards.items()}),
            self._clock.now() if changed else None,
        )


def _check_drivers(wiring: BusWiring, boards: Mapping[int, LockBoard]) -> None:
    wired = {board.address: board.locks for board in wiring.boards}
    if set(boards) != set(wired):
        raise WiringError(f"drivers for boards {sorted(boards)}, but the bus is wired with boards {sorted(wired)}")
    for address, driver in boards.items():
        if driver.locks != wired[address]:
            raise WiringError(f"board {address} is wired with {wired[address]} locks, its driver has {driver.locks}")
