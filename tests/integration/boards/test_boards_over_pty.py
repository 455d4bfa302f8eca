"""Behaviour every protocol shares, each test run against Kerong and 8A/80 over a real pty."""

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

import pytest
from board_rigs import Rig

from parcellocker.boards.emulator import Fault
from parcellocker.boards.port import BoardProtocolError, BoardTimeout, DoorReading, FrameFault, LockDidNotOpen


async def test_open_lock_pops_the_door_and_read_doors_shows_it_open(rig: Rig) -> None:
    board = rig.board()
    await board.open_lock(3)
    doors = await board.read_doors()
    assert set(doors) == set(range(1, board.locks + 1))
    assert [lock for lock, door in doors.items() if door.is_open] == [3]
    assert not rig.emulator.door_closed(rig.boards[0], 3)


async def test_door_reads_open_until_someone_closes_it(rig: Rig) -> None:
    board = rig.board()
    await board.open_lock(5)
    assert (await board.read_door(5)).is_open
    assert (await board.read_door(5)).is_open
    rig.emulator.close_door(rig.boards[0], 5)
    assert (await board.read_door(5)).closed


async def test_cascaded_boards_on_one_bus_answer_by_address(rig: Rig) -> None:
    first, second = rig.board(0), rig.board(1)
    await second.open_lock(2)
    rig.emulator.open_door(rig.boards[0], 7)
    assert [lock for lock, door in (await first.read_doors()).items() if door.is_open] == [7]
    assert [lock for lock, door in (await second.read_doors()).items() if door.is_open] == [2]


async def test_board_that_does_not_answer_raises_timeout_quickly_after_retries(rig: Rig) -> None:
    rig.emulator.inject(Fault.NO_ANSWER, rig.boards[0])
    started = time.monotonic()
    with pytest.raises(BoardTimeout) as caught:
        await rig.board().read_doors()
    assert time.monotonic() - started < 1.0
    assert caught.value.attempts == 3
    assert rig.emulator.requests_to(rig.boards[0]) == 3
    assert (rig.bus.stats.timeouts, rig.bus.stats.retries) == (3, 2)


async def test_missing_board_is_a_timeout_and_the_others_keep_working(rig: Rig) -> None:
    absent = rig.make_board(rig.bus, 7)
    with pytest.raises(BoardTimeout):
        await absent.read_door(1)
    assert (await rig.board().read_door(1)).closed


async def test_corrupted_reply_is_retried_and_bus_resynchronised(rig: Rig) -> None:
    rig.emulator.open_door(rig.boards[0], 4)
    rig.emulator.inject(Fault.BAD_CHECKSUM, rig.boards[0], times=1)
    doors = await rig.board().read_doors()
    assert doors[4].is_open
    assert (rig.bus.stats.bad_frames, rig.bus.stats.resyncs, rig.bus.stats.retries) == (1, 1, 1)
    assert rig.emulator.requests_to(rig.boards[0]) == 2


async def test_reply_corrupted_every_time_raises_protocol_error(rig: Rig) -> None:
    rig.emulator.inject(Fault.BAD_CHECKSUM, rig.boards[0])
    with pytest.raises(BoardProtocolError) as caught:
        await rig.board().read_doors()
    assert caught.value.fault is FrameFault.BAD_CHECKSUM
    assert caught.value.attempts == 3


async def test_reply_with_wrong_address_is_rejected(rig: Rig) -> None:
    rig.emulator.inject(Fault.WRONG_ADDRESS, rig.boards[0])
    with pytest.raises(BoardProtocolError) as caught:
        await rig.board().read_doors()
    assert caught.value.fault is FrameFault.WRONG_ADDRESS
    assert rig.bus.stats.bad_frames == 3


async def test_one_reply_with_wrong_address_is_rejected_and_the_retry_accepted(rig: Rig) -> None:
    rig.emulator.inject(Fault.WRONG_ADDRESS, rig.boards[0], times=1)
    assert (await rig.board().read_door(1)).closed
    assert rig.bus.stats.bad_frames == 1


async def test_jammed_lock_raises_lock_did_not_open(rig: Rig) -> None:
    rig.emulator.jam_lock(rig.boards[0], 6)
    with pytest.raises(LockDidNotOpen):
        await rig.board().open_lock(6)
    assert rig.emulator.door_closed(rig.boards[0], 6)


async def test_forced_door_is_seen_in_read_doors(rig: Rig) -> None:
    rig.emulator.force_door(rig.boards[1], 9)
    doors = await rig.board(1).read_doors()
    assert [lock for lock, door in doors.items() if door.is_open] == [9]
    assert rig.emulator.compartment(rig.boards[1], 9).forced


async def test_slow_reply_within_the_timeout_is_accepted(rig: Rig) -> None:
    rig.emulator.set_reply_delay(rig.boards[0], 0.04)
    assert (await rig.board().read_door(2)).closed
    assert rig.bus.stats.retries == 0


async def test_reply_slower_than_every_attempt_raises_timeout(rig: Rig) -> None:
    rig.emulator.set_reply_delay(rig.boards[0], 0.6)
    with pytest.raises(BoardTimeout):
        await rig.board().read_door(2)


async def test_concurrent_requests_from_several_tasks_are_serialised_on_one_bus(rig: Rig) -> None:
    for address in rig.boards:
        rig.emulator.set_reply_delay(address, 0.005)
    first, second = rig.board(0), rig.board(1)
    reads = [board.read_door(lock) for board in (first, second) for lock in (3, 4, 5)]
    tasks: list[Coroutine[Any, Any, object]] = [first.open_lock(1), second.open_lock(2), *reads]
    tasks += [first.read_doors(), second.read_doors()]
    results = await asyncio.gather(*tasks)
    assert all(isinstance(door, DoorReading) and door.closed for door in results[2:8])
    assert rig.emulator.collisions == 0
    assert rig.bus.stats.retries == 0
    assert (await first.read_door(1)).is_open
    assert (await second.read_door(2)).is_open


async def test_lock_number_off_the_board_is_refused(rig: Rig) -> None:
    board = rig.board()
    with pytest.raises(ValueError):
        await board.open_lock(board.locks + 1)
    with pytest.raises(ValueError):
        await board.read_door(0)
