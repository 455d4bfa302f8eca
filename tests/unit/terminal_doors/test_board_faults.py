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


async def test_a_board_is_reported_faulted_only_after_failing_the_reads_in_a_row_it_is_allowed() -> None:
    """A board that misses one read (a starved machine) and answers the next raises nothing; one that fails three in
    a row raises BoardFaulted once, and BoardRecovered when it answers again."""
    locker = Locker.build(DoorMonitorSettings(poll_interval=0.2, faulted_board_retry=2.0, faulted_after_failures=3))
    await locker.coordinator.reconcile()
    locker.boards[1].failure = BoardTimeout("no answer")
    assert await locker.poll_after(0.2) == []
    assert locker.coordinator.snapshot.boards[1].condition is BoardCondition.FAULTED  # not read again for 2 s
    locker.boards[1].failure = None
    assert await locker.poll_after(2.0) == []  # answered: no alarm was raised, so no recovery either
    assert locker.coordinator.snapshot.boards[1].healthy

    locker.boards[1].failure = BoardTimeout("no answer")
    events = [e for _ in range(3) for e in await locker.poll_after(2.0)]
    assert [(type(e), getattr(e, "board", None)) for e in events] == [(BoardFaulted, 1)]
    assert [e for _ in range(3) for e in await locker.poll_after(2.0)] == []  # once
    locker.boards[1].failure = None
    assert [type(e) for e in await locker.poll_after(2.0)] == [BoardRecovered]


def test_a_board_must_be_allowed_at_least_one_failed_read() -> None:
    with pytest.raises(ValueError, match="faulted_after_failures"):
        DoorMonitorSettings(faulted_after_failures=0)
