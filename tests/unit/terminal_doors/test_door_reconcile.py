import pytest
from door_fakes import Locker

from parcellocker.boards.port import BoardTimeout
from parcellocker.domain.compartment import DoorState
from parcellocker.terminal.doors import (
    BoardCondition,
    BoardFaulted,
    BoardRecovered,
    DoorClosed,
    DoorFoundChanged,
    DoorLeftOpen,
    DoorMonitorSettings,
    DoorsNotReconciled,
    LastKnownDoor,
    OpeningPurpose,
)

OPEN, CLOSED = DoorState.OPEN, DoorState.CLOSED


async def test_nothing_is_served_before_every_door_has_been_read() -> None:
    locker = Locker.build()
    snapshot = locker.coordinator.snapshot
    assert all(status.door is None for status in snapshot.doors.values())
    assert {board.condition for board in snapshot.boards.values()} == {BoardCondition.UNKNOWN}
    with pytest.raises(DoorsNotReconciled):
        await locker.coordinator.open_compartment(1, OpeningPurpose.DEPOSIT)
    assert locker.boards[0].unlocks == []


async def test_reconcile_reads_every_board_once_and_fills_the_snapshot() -> None:
    locker = Locker.build(item_sensors=True)
    locker.boards[1].items[3] = True  # type: ignore[index]
    assert await locker.coordinator.reconcile() == []
    snapshot = locker.coordinator.snapshot
    assert (locker.boards[0].reads, locker.boards[1].reads) == (1, 1)
    assert all(status.is_closed and status.read_at == locker.clock.now() for status in snapshot.doors.values())
    assert all(board.healthy for board in snapshot.boards.values())
    assert [n for n, status in snapshot.doors.items() if status.item_present] == [9]
    assert snapshot.taken_at == locker.clock.now()


async def test_reconcile_reports_doors_that_changed_while_the_terminal_was_down() -> None:
    locker = Locker.build()
    locker.open_door(1)
    locker.open_door(3)
    locker.open_door(12)
    last_known = {n: LastKnownDoor(CLOSED) for n in range(1, 13)} | {2: LastKnownDoor(OPEN), 3: LastKnownDoor(OPEN)}
    events = await locker.coordinator.reconcile(last_known)
    at = locker.clock.now()
    assert events == [
        DoorFoundChanged(1, CLOSED, OPEN, at=at),
        DoorFoundChanged(2, OPEN, CLOSED, at=at),
        DoorFoundChanged(12, CLOSED, OPEN, at=at),
    ]
    assert locker.feed.take_pending() == events
    assert locker.coordinator.snapshot.open_doors == [1, 3, 12]


async def test_first_start_without_a_last_known_state_reports_nothing_but_shows_open_doors() -> None:
    locker = Locker.build()
    locker.open_door(7)
    assert await locker.coordinator.reconcile() == []
    assert locker.coordinator.snapshot.open_doors == [7]


async def test_door_found_open_for_a_deposit_closes_with_the_deposit_after_a_restart() -> None:
    locker = Locker.build()
    locker.open_door(4)
    await locker.coordinator.reconcile({4: LastKnownDoor(OPEN, OpeningPurpose.DEPOSIT)})
    assert locker.coordinator.snapshot.door(4).opened_for is OpeningPurpose.DEPOSIT
    locker.close_door(4)
    assert await locker.poll_after(1) == [DoorClosed(4, OpeningPurpose.DEPOSIT, at=locker.clock.now())]


async def test_purpose_of_a_door_found_closed_is_dropped() -> None:
    locker = Locker.build()
    await locker.coordinator.reconcile({4: LastKnownDoor(OPEN, OpeningPurpose.DEPOSIT)})
    assert locker.coordinator.snapshot.door(4).opened_for is None


async def test_door_found_open_is_left_open_counting_from_its_first_read() -> None:
    locker = Locker.build(DoorMonitorSettings(left_open_after=60))
    locker.open_door(5)
    await locker.coordinator.reconcile({5: LastKnownDoor(OPEN)})
    assert await locker.poll_after(59) == []
    assert await locker.poll_after(1) == [DoorLeftOpen(5, 60.0, at=locker.clock.now())]


async def test_door_of_a_board_silent_at_start_is_compared_when_its_board_answers() -> None:
    locker = Locker.build()
    locker.boards[1].failure = BoardTimeout("no answer")
    locker.open_door(8)
    events = await locker.coordinator.reconcile({8: LastKnownDoor(CLOSED), 9: LastKnownDoor(CLOSED)})
    assert [type(e) for e in events] == [BoardFaulted]
    assert locker.coordinator.snapshot.door(8).door is None
    assert not locker.coordinator.snapshot.is_current(8)

    locker.boards[1].failure = None
    events = await locker.poll_after(locker.coordinator.settings.faulted_board_retry)
    at = locker.clock.now()
    assert events == [BoardRecovered(1, at=at), DoorFoundChanged(8, CLOSED, OPEN, at=at)]
    assert locker.coordinator.snapshot.is_current(8)


async def test_compartments_of_other_buses_in_the_last_known_state_are_ignored() -> None:
    locker = Locker.build()
    assert await locker.coordinator.reconcile({40: LastKnownDoor(OPEN)}) == []


async def test_reconcile_happens_once(locker: Locker) -> None:
    with pytest.raises(RuntimeError):
        await locker.coordinator.reconcile()
