"""The door coordinator on the real Kerong and 8A/80 drivers, against their emulators over a real pty."""

import asyncio

import pytest
from door_bus_rigs import FAST_MONITOR, NEVER, DoorRig, events_until, seen

from parcellocker.boards.emulator import Fault
from parcellocker.domain.compartment import DoorState
from parcellocker.terminal.doors import (
    BoardFaulted,
    BoardRecovered,
    CompartmentDidNotOpen,
    DoorClosed,
    DoorForcedOpen,
    DoorFoundChanged,
    DoorLeftOpen,
    DoorOpened,
    LastKnownDoor,
    LockDidNotOpen,
    OpeningPurpose,
)

OPEN, CLOSED = DoorState.OPEN, DoorState.CLOSED


async def test_door_opened_for_a_deposit_and_closed_on_the_emulator_is_closed_after_the_deposit(
    door_rig: DoorRig,
) -> None:
    coordinator, feed, _ = await door_rig.start_coordinator()
    await coordinator.open_compartment(11, OpeningPurpose.DEPOSIT)
    assert await events_until(feed, DoorOpened) == [DoorOpened(11, True, at=NEVER)]
    board, channel = door_rig.lock_of(11)
    assert door_rig.emulator.compartment(board, channel).unlocks == 1
    assert coordinator.snapshot.open_doors == [11]

    door_rig.emulator.close_door(board, channel)
    assert await events_until(feed, DoorClosed) == [DoorClosed(11, OpeningPurpose.DEPOSIT, at=NEVER)]
    assert coordinator.snapshot.open_doors == []


async def test_door_forced_on_the_emulator_raises_the_forced_door_alarm(door_rig: DoorRig) -> None:
    _, feed, _ = await door_rig.start_coordinator()
    door_rig.emulator.force_door(*door_rig.lock_of(13))
    assert await events_until(feed, DoorForcedOpen) == [
        DoorOpened(13, False, at=NEVER),
        DoorForcedOpen(13, at=NEVER),
    ]


async def test_door_left_open_past_the_limit_raises_one_alarm(door_rig: DoorRig) -> None:
    coordinator, feed, _ = await door_rig.start_coordinator()
    await coordinator.open_compartment(2, OpeningPurpose.PICKUP)
    events = await events_until(feed, DoorLeftOpen)
    assert events[0] == DoorOpened(2, True, at=NEVER)
    alarm = events[-1]
    assert isinstance(alarm, DoorLeftOpen) and alarm.compartment == 2
    assert FAST_MONITOR.left_open_after <= alarm.seconds < FAST_MONITOR.left_open_after + 0.5
    await asyncio.sleep(3 * FAST_MONITOR.left_open_after)
    assert feed.take_pending() == []
    assert coordinator.snapshot.door(2).left_open


async def test_jammed_lock_raises_lock_did_not_open_and_the_door_stays_shut(door_rig: DoorRig) -> None:
    coordinator, feed, _ = await door_rig.start_coordinator()
    door_rig.emulator.jam_lock(*door_rig.lock_of(4))
    with pytest.raises(CompartmentDidNotOpen):
        await coordinator.open_compartment(4, OpeningPurpose.DEPOSIT)
    assert [seen(event) for event in feed.take_pending()] == [LockDidNotOpen(4, at=NEVER)]
    assert coordinator.snapshot.door(4).is_closed
    assert door_rig.emulator.door_closed(*door_rig.lock_of(4))


async def test_board_that_stops_answering_is_faulted_while_the_other_is_still_polled(door_rig: DoorRig) -> None:
    coordinator, feed, _ = await door_rig.start_coordinator()
    first, second = door_rig.protocol.boards
    door_rig.emulator.inject(Fault.NO_ANSWER, second)
    events = await events_until(feed, BoardFaulted)
    assert [(type(e), getattr(e, "board", None)) for e in events] == [(BoardFaulted, second)]
    assert coordinator.snapshot.faulted_boards == [second]

    requests_before = door_rig.emulator.requests_to(first)
    door_rig.emulator.force_door(*door_rig.lock_of(6))
    assert await events_until(feed, DoorForcedOpen) == [DoorOpened(6, False, at=NEVER), DoorForcedOpen(6, at=NEVER)]
    assert door_rig.emulator.requests_to(first) > requests_before
    assert coordinator.snapshot.boards[first].healthy
    assert not coordinator.snapshot.is_current(10)
    door_rig.emulator.close_door(*door_rig.lock_of(6))
    closing = await events_until(feed, DoorClosed, besides=(DoorLeftOpen,))
    assert closing == [DoorClosed(6, None, at=NEVER)]

    door_rig.emulator.clear_faults(second)
    assert await events_until(feed, BoardRecovered) == [BoardRecovered(second, at=NEVER)]
    assert coordinator.snapshot.faulted_boards == []
    assert coordinator.snapshot.is_current(10)


async def test_restarted_terminal_reconciles_with_the_doors_as_they_are_now(door_rig: DoorRig) -> None:
    before, feed, _ = await door_rig.start_coordinator()
    await before.open_compartment(1, OpeningPurpose.DEPOSIT)
    await before.open_compartment(9, OpeningPurpose.PICKUP)
    await events_until(feed, DoorOpened)
    await events_until(feed, DoorOpened)
    last_known = {n: LastKnownDoor(s.door, s.opened_for) for n, s in before.snapshot.doors.items() if s.door}
    assert {n: k.door for n, k in last_known.items() if k.door is OPEN} == {1: OPEN, 9: OPEN}
    await door_rig.stop_coordinator(before)

    door_rig.emulator.close_door(*door_rig.lock_of(1))
    door_rig.emulator.force_door(*door_rig.lock_of(15))
    after, feed, events = await door_rig.start_coordinator(last_known)
    assert [seen(event) for event in events] == [
        DoorFoundChanged(1, OPEN, CLOSED, at=NEVER),
        DoorFoundChanged(15, CLOSED, OPEN, at=NEVER),
    ]
    assert after.snapshot.open_doors == [9, 15]

    door_rig.emulator.close_door(*door_rig.lock_of(9))
    closing = await events_until(feed, DoorClosed, besides=(DoorLeftOpen,))
    assert closing == [DoorClosed(9, OpeningPurpose.PICKUP, at=NEVER)]
