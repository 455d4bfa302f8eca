"""Door events become what the terminal keeps and tells the server: the door's state in the store and the
events of the outbox (door changes and alarms), written before anyone is answered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from parcellocker.domain.compartment import DoorState
from parcellocker.terminal.doors import (
    BoardFaulted,
    BoardRecovered,
    DoorClosed,
    DoorCoordinator,
    DoorEvent,
    DoorEventFeed,
    DoorForcedOpen,
    DoorFoundChanged,
    DoorLeftOpen,
    DoorOpened,
    LockDidNotOpen,
)
from parcellocker.terminal.link.port import EventKind
from parcellocker.terminal.store import TerminalStore

log = logging.getLogger(__name__)


class DoorReporter:
    """Reads its own feed of the coordinator. `record_pending()` records whatever has arrived right now (the
    kiosk calls it before answering, so that the opening it caused is on disk); `run()` records as events come."""

    def __init__(
        self, store: TerminalStore, coordinator: DoorCoordinator, on_recorded: Callable[[], None] = lambda: None
    ) -> None:
        self._store = store
        self._coordinator = coordinator
        self._feed: DoorEventFeed = coordinator.subscribe()
        self._on_recorded = on_recorded
        self._opening_seq: dict[int, int] = {}
        """The seq of the last door-opened event of each compartment, for the forced-door alarm that follows."""

    def record_pending(self) -> None:
        self.record(self._feed.take_pending())

    async def run(self) -> None:
        async for event in self._feed:
            self.record([event, *self._feed.take_pending()])

    def close(self) -> None:
        self.record_pending()
        self._feed.close()

    def record(self, events: list[DoorEvent]) -> None:
        if not events:
            return
        with self._store.transaction():
            for event in events:
                self._record(event)
        self._on_recorded()

    def _record(self, event: DoorEvent) -> None:
        if isinstance(event, DoorOpened):
            self._door(event.compartment, DoorState.OPEN, event)
        elif isinstance(event, DoorClosed):
            self._door(event.compartment, DoorState.CLOSED, event)
        elif isinstance(event, DoorFoundChanged):
            self._door(event.compartment, event.now, event)
        elif isinstance(event, DoorForcedOpen):
            door_seq = self._opening_seq.get(event.compartment)
            self._alarm(event, "forced_door", event.compartment, "opened without a command", door_seq=door_seq)
        elif isinstance(event, DoorLeftOpen):
            self._alarm(event, "door_left_open", event.compartment, f"open for {event.seconds:.0f} s")
        elif isinstance(event, LockDidNotOpen):
            self._alarm(event, "lock_did_not_open", event.compartment, "the lock did not open")
        elif isinstance(event, BoardFaulted):  # the server stops offering its compartments until it recovers
            message = f"board {event.board}: {event.reason}"[:500]
            body = {"alarm": "board_faulted", "board": event.board, "message": message}
            self._store.outbox.append(EventKind.ALARM, event.at, body)
        elif isinstance(event, BoardRecovered):
            body = {"alarm": "board_recovered", "board": event.board, "message": f"board {event.board} answers again"}
            self._store.outbox.append(EventKind.ALARM, event.at, body)
        else:
            log.info("board event, not reported: %s", event)

    def _door(self, number: int, door: DoorState, event: DoorEvent) -> None:
        status = self._coordinator.snapshot.door(number)
        opened_for = status.opened_for if door is DoorState.OPEN else None
        self._store.doors.save(number, door, opened_for, event.at)
        appended = self._store.outbox.append(EventKind.DOOR, event.at, {"compartment": number, "state": door.value})
        if door is DoorState.OPEN:
            self._opening_seq[number] = appended.seq

    def _alarm(self, event: DoorEvent, alarm: str, number: int, message: str, **extra: Any) -> None:
        body = {"alarm": alarm, "compartment": number, "message": f"compartment {number}: {message}"}
        body.update({key: value for key, value in extra.items() if value is not None})
        self._store.outbox.append(EventKind.ALARM, event.at, body)
