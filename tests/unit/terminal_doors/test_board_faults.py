import pytest
from door_fakes import Locker

from parcellocker.boards.port import (
    BoardConnectionError,
    BoardError,
    BoardProtocolError,
    BoardTimeout,
    FrameFault,
)
from parcellocker.terminal.doors import (
    BoardCondition,
    BoardFaulted,
    BoardRecovered,
    DoorForcedOpen,
    DoorMonitorSettings,
    DoorOpened,
)


async def test_board_that_stops_answering_is_faulted_once_and_the_other_is_still_polled(locker: Locker) -> None:
    locker.boards[1].failure = BoardTimeout("no answer to 80 02 00 33 b1 after 3 attempts", attempts=3)
    assert await locker.poll_after(0.2) == [
        BoardFaulted(1, "BoardTimeout: no answer to 80 02 00 33 b1 after 3 attempts", at=locker.clock.now())
    ]
    locker.open_door(2)
    events = [e for _ in range(20) for e in await locker.poll_after(0.2)]
    assert [type(e) for e in events] == [DoorOpened, DoorForcedOpen]
    health = locker.coordinator.snapshot.boards[1]
    assert health.condition is BoardCondition.FAULTED
    assert health.error is not None and "no answer" in health.error
    assert locker.coordinator.snapshot.faulted_boards == [1]


async def test_faulted_board_is_retried_every_retry_interval_not_every_round() -> None:
    locker = Locker.build(DoorMonitorSettings(poll_interval=0.2, faulted_board_retry=2.0))
    await locker.coordinator.reconcile()
    locker.boards[1].failure = BoardTimeout("no answer")
    await locker.poll_after(0.2)
    reads_of = (locker.boards[0].reads, locker.boards[1].reads)
    for _ in range(20):
        await locker.poll_after(0.2)
    assert locker.boards[0].reads - reads_of[0] == 20
    assert locker.boards[1].reads - reads_of[1] == 2


async def test_board_answering_again_is_recovered_and_what_changed_meanwhile_is_reported(locker: Locker) -> None:
    locker.boards[0].failure = BoardTimeout("no answer")
    await locker.poll_after(0.2)
    locker.open_door(3)
    locker.boards[0].failure = None
    events = await locker.poll_after(2.0)
    at = locker.clock.now()
    assert events == [BoardRecovered(0, at=at), DoorOpened(3, False, at=at), DoorForcedOpen(3, at=at)]
    assert locker.coordinator.snapshot.boards[0].healthy
    assert locker.coordinator.snapshot.boards[0].error is None


async def test_snapshot_keeps_the_last_reading_of_a_faulted_board_but_marks_it_not_current(locker: Locker) -> None:
    read_at = locker.coordinator.snapshot.door(8).read_at
    locker.boards[1].failure = BoardTimeout("no answer")
    await locker.poll_after(0.2)
    status = locker.coordinator.snapshot.door(8)
    assert status.is_closed
    assert status.read_at == read_at
    assert not locker.coordinator.snapshot.is_current(8)
    assert locker.coordinator.snapshot.is_current(2)


@pytest.mark.parametrize(
    "error",
    [
        BoardProtocolError(FrameFault.BAD_CHECKSUM, "02 00 30 ..."),
        BoardConnectionError("serial port /dev/ttyUSB0 unplugged"),
        BoardTimeout("no answer"),
    ],
    ids=["bad frames", "line gone", "no answer"],
)
async def test_every_board_error_is_a_fault(locker: Locker, error: BoardError) -> None:
    locker.boards[0].failure = error
    events = await locker.poll_after(0.2)
    assert [(type(e), e.board) for e in events if isinstance(e, BoardFaulted)] == [(BoardFaulted, 0)]


async def test_a_bug_in_a_driver_is_not_taken_for_a_board_fault(locker: Locker) -> None:
    locker.boards[0].failure = ValueError("lock 0 is not on this board")  # type: ignore[assignment]
    with pytest.raises(ValueError):
        await locker.poll_after(0.2)
