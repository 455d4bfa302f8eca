import pytest
from door_fakes import Locker

from parcellocker.boards.port import BoardTimeout
from parcellocker.terminal.doors import (
    BoardFaulted,
    BoardRecovered,
    BoardUnreachable,
    CompartmentDidNotOpen,
    DoorClosed,
    DoorForcedOpen,
    DoorOpened,
    LockDidNotOpen,
    OpeningPurpose,
    UnknownCompartment,
)


async def test_door_opened_for_a_deposit_is_expected_and_its_close_is_attributed_to_it(locker: Locker) -> None:
    await locker.coordinator.open_compartment(2, OpeningPurpose.DEPOSIT)
    assert locker.feed.take_pending() == [DoorOpened(2, True, at=locker.clock.now())]
    status = locker.coordinator.snapshot.door(2)
    assert status.is_open
    assert status.opened_for is OpeningPurpose.DEPOSIT
    assert locker.boards[0].unlocks == [2]

    locker.close_door(2)
    assert await locker.poll_after(5) == [DoorClosed(2, OpeningPurpose.DEPOSIT, at=locker.clock.now())]
    assert locker.coordinator.snapshot.door(2).opened_for is None


@pytest.mark.parametrize("purpose", list(OpeningPurpose))
async def test_close_is_attributed_to_each_purpose(locker: Locker, purpose: OpeningPurpose) -> None:
    await locker.coordinator.open_compartment(9, purpose)
    locker.close_door(9)
    events = await locker.poll_after(1)
    assert [(type(e), e.after) for e in events if isinstance(e, DoorClosed)] == [(DoorClosed, purpose)]


async def test_door_opened_without_a_command_is_forced_open(locker: Locker) -> None:
    locker.open_door(5)
    at = locker.clock.now()
    assert await locker.coordinator.poll() == [DoorOpened(5, False, at=at), DoorForcedOpen(5, at=at)]
    locker.close_door(5)
    assert await locker.poll_after(1) == [DoorClosed(5, None, at=locker.clock.now())]


async def test_door_popped_by_the_unlock_is_opened_once_not_again_at_the_next_poll(locker: Locker) -> None:
    await locker.coordinator.open_compartment(3, OpeningPurpose.PICKUP)
    assert await locker.poll_after(0.2) == []
    assert len(locker.feed.take_pending()) == 1


async def test_door_pulled_open_a_while_after_its_unlock_is_still_expected(locker: Locker) -> None:
    locker.boards[0].springs = False
    await locker.coordinator.open_compartment(4, OpeningPurpose.PICKUP)
    assert locker.coordinator.snapshot.door(4).is_closed
    locker.open_door(4)
    assert await locker.poll_after(29) == [DoorOpened(4, True, at=locker.clock.now())]


async def test_opening_after_the_grace_of_an_unlock_whose_door_stayed_shut_is_forced(locker: Locker) -> None:
    locker.boards[0].springs = False
    await locker.coordinator.open_compartment(4, OpeningPurpose.PICKUP)
    assert await locker.poll_after(31) == []
    assert locker.coordinator.snapshot.door(4).opened_for is None
    locker.open_door(4)
    assert [type(e) for e in await locker.poll_after(1)] == [DoorOpened, DoorForcedOpen]


async def test_lock_that_stays_shut_raises_and_publishes_lock_did_not_open(locker: Locker) -> None:
    locker.boards[1].jammed.add(2)
    with pytest.raises(CompartmentDidNotOpen) as caught:
        await locker.coordinator.open_compartment(8, OpeningPurpose.DEPOSIT)
    assert caught.value.compartment == 8
    assert locker.feed.take_pending() == [LockDidNotOpen(8, at=locker.clock.now())]
    assert locker.coordinator.snapshot.door(8).opened_for is None


async def test_opening_after_a_failed_unlock_is_forced(locker: Locker) -> None:
    locker.boards[1].jammed.add(2)
    with pytest.raises(CompartmentDidNotOpen):
        await locker.coordinator.open_compartment(8, OpeningPurpose.DEPOSIT)
    locker.open_door(8)
    assert [type(e) for e in await locker.poll_after(1)] == [DoorOpened, DoorForcedOpen]


async def test_unlock_unanswered_faults_the_board_and_keeps_the_opening_expected(locker: Locker) -> None:
    board = locker.boards[0]
    board.unlock_failure = BoardTimeout("no answer to the unlock")
    with pytest.raises(BoardUnreachable) as caught:
        await locker.coordinator.open_compartment(1, OpeningPurpose.DEPOSIT)
    assert (caught.value.compartment, caught.value.board) == (1, 0)
    assert [type(e) for e in locker.feed.take_pending()] == [BoardFaulted]

    board.unlock_failure = None
    locker.open_door(1)
    events = await locker.poll_after(locker.coordinator.settings.faulted_board_retry)
    assert events == [BoardRecovered(0, at=locker.clock.now()), DoorOpened(1, True, at=locker.clock.now())]


async def test_unknown_compartment_is_refused_without_touching_any_board(locker: Locker) -> None:
    with pytest.raises(UnknownCompartment):
        await locker.coordinator.open_compartment(13, OpeningPurpose.PICKUP)
    assert locker.boards[0].unlocks == locker.boards[1].unlocks == []


async def test_door_reopened_for_a_forgotten_item_closes_again_for_the_same_purpose(locker: Locker) -> None:
    cycle = []
    for _ in range(2):
        await locker.coordinator.open_compartment(6, OpeningPurpose.PICKUP)
        cycle.append(DoorOpened(6, True, at=locker.clock.now()))
        locker.close_door(6)
        await locker.poll_after(10)
        cycle.append(DoorClosed(6, OpeningPurpose.PICKUP, at=locker.clock.now()))
    assert locker.feed.take_pending() == cycle


async def test_unlock_sent_to_a_door_forced_open_attributes_its_close_to_the_purpose(locker: Locker) -> None:
    locker.open_door(10)
    await locker.coordinator.poll()
    await locker.coordinator.open_compartment(10, OpeningPurpose.COLLECT)
    locker.close_door(10)
    assert await locker.poll_after(3) == [DoorClosed(10, OpeningPurpose.COLLECT, at=locker.clock.now())]
