"""Door events become door states in the store and events in the outbox, alarms included."""

from __future__ import annotations

import asyncio

import pytest
from terminal_fakes import FakeBoard, coordinator_on

from parcellocker.domain.compartment import DoorState
from parcellocker.terminal.doors import CompartmentDidNotOpen, LastKnownDoor, OpeningPurpose
from parcellocker.terminal.link.port import EventKind
from parcellocker.terminal.reporting import DoorReporter
from parcellocker.terminal.store import TerminalStore


def outbox(store: TerminalStore) -> list[tuple[int, EventKind, dict[str, object]]]:
    return [(event.seq, event.kind, event.body) for event in store.outbox.pending()]


async def test_an_opening_for_a_deposit_and_its_close_are_kept_and_queued(store: TerminalStore) -> None:
    board = FakeBoard()
    coordinator = coordinator_on(board)
    reporter = DoorReporter(store, coordinator)
    await coordinator.reconcile()
    await coordinator.open_compartment(2, OpeningPurpose.DEPOSIT)
    reporter.record_pending()
    assert store.doors.last_known()[2] == LastKnownDoor(DoorState.OPEN, OpeningPurpose.DEPOSIT)

    board.closed[2] = True
    await coordinator.poll()
    reporter.record_pending()
    assert store.doors.last_known()[2] == LastKnownDoor(DoorState.CLOSED)
    assert outbox(store) == [
        (1, EventKind.DOOR, {"compartment": 2, "state": "open"}),
        (2, EventKind.DOOR, {"compartment": 2, "state": "closed"}),
    ]


async def test_a_forced_door_queues_its_opening_and_an_alarm_naming_it(store: TerminalStore) -> None:
    board = FakeBoard()
    coordinator = coordinator_on(board)
    reporter = DoorReporter(store, coordinator)
    await coordinator.reconcile()
    board.closed[6] = False
    await coordinator.poll()
    reporter.record_pending()
    assert outbox(store) == [
        (1, EventKind.DOOR, {"compartment": 6, "state": "open"}),
        (
            2,
            EventKind.ALARM,
            {
                "alarm": "forced_door",
                "compartment": 6,
                "message": "compartment 6: opened without a command",
                "door_seq": 1,
            },
        ),
    ]


async def test_a_lock_that_did_not_open_is_an_alarm(store: TerminalStore) -> None:
    board = FakeBoard()
    coordinator = coordinator_on(board)
    reporter = DoorReporter(store, coordinator)
    await coordinator.reconcile()
    board.jammed.add(1)
    with pytest.raises(CompartmentDidNotOpen):
        await coordinator.open_compartment(1, OpeningPurpose.PICKUP)
    reporter.record_pending()
    assert outbox(store) == [
        (
            1,
            EventKind.ALARM,
            {"alarm": "lock_did_not_open", "compartment": 1, "message": "compartment 1: the lock did not open"},
        )
    ]


async def test_a_door_left_open_is_an_alarm(store: TerminalStore) -> None:
    board = FakeBoard()
    coordinator = coordinator_on(board, left_open_after=0.05)
    reporter = DoorReporter(store, coordinator)
    await coordinator.reconcile()
    await coordinator.open_compartment(1, OpeningPurpose.PICKUP)
    await asyncio.sleep(0.06)
    await coordinator.poll()
    reporter.record_pending()
    [alarm] = [event.body for event in store.outbox.pending() if event.kind is EventKind.ALARM]
    assert (alarm["alarm"], alarm["compartment"]) == ("door_left_open", 1)


async def test_doors_that_changed_while_the_terminal_was_down_are_reported_at_start(store: TerminalStore) -> None:
    board = FakeBoard()
    board.closed[3] = False
    coordinator = coordinator_on(board)
    reporter = DoorReporter(store, coordinator)
    await coordinator.reconcile({n: LastKnownDoor(DoorState.CLOSED) for n in range(1, 9)})
    reporter.record_pending()
    assert outbox(store) == [(1, EventKind.DOOR, {"compartment": 3, "state": "open"})]
    assert store.doors.last_known()[3].door is DoorState.OPEN
