import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import serial
from board_rigs import FAST_BUS, FAST_EIGHTA, open_bus

from parcellocker.boards.eighta import SERIAL_BAUDRATE, EightABoard, EightAConfig
from parcellocker.boards.eighta import frames as eighta_frames
from parcellocker.boards.emulator import BoardEmulator, eighta_emulator
from parcellocker.boards.port import BoardTimeout, Bus, LockDidNotOpen
from parcellocker.boards.serial_transport import SerialTransport

EightABus = BoardEmulator[eighta_frames.Frame]
INVERTED = EightAConfig(
    closed_state=0x00, opened_state=0x11, closed_bit_set=False, query_timeout=0.1, unlock_timeout=0.2
)


@pytest.fixture
async def emulator() -> AsyncIterator[EightABus]:
    async with eighta_emulator((1, 2), 24, FAST_EIGHTA) as emulator:
        yield emulator


@pytest.fixture
async def bus(emulator: EightABus) -> AsyncIterator[Bus]:
    bus = await open_bus(await emulator.serve_pty(), SERIAL_BAUDRATE)
    yield bus
    await bus.close()


def exchange(path: str, request: str, reply_length: int) -> str:
    """Raw bytes over the pty, with no driver in between."""
    with serial.serial_for_url(path, baudrate=SERIAL_BAUDRATE, timeout=0.5) as port:
        port.write(bytes.fromhex(request))
        return bytes(port.read(reply_length)).hex(" ")


async def test_driver_puts_the_design_unlock_frame_on_the_line(emulator: EightABus, bus: Bus) -> None:
    await EightABoard(bus, 1, config=FAST_EIGHTA).open_lock(1)
    await EightABoard(bus, 1, config=FAST_EIGHTA).read_doors()
    assert [request.encode().hex(" ") for request in emulator.requests] == ["8a 01 01 11 9b", "80 01 00 33 b2"]


async def test_query_all_reply_on_the_line_is_the_design_example(emulator: EightABus) -> None:
    for lock in range(1, 25):
        if lock not in (1, 9, 17):
            emulator.open_door(1, lock)
    path = await emulator.serve_pty()
    assert await asyncio.to_thread(exchange, path, "80 01 00 33 b2", 7) == "80 01 01 01 01 33 b3"


async def test_unlock_and_query_one_replies_on_the_line_use_the_configured_states(emulator: EightABus) -> None:
    path = await emulator.serve_pty()
    assert await asyncio.to_thread(exchange, path, "80 01 01 33 b3", 5) == "80 01 01 11 91"
    assert await asyncio.to_thread(exchange, path, "8a 01 01 11 9b", 5) == "8a 01 01 00 8a"
    assert await asyncio.to_thread(exchange, path, "80 01 01 33 b3", 5) == "80 01 01 00 80"


async def test_design_vector_reads_as_locks_1_9_and_17_closed(emulator: EightABus, bus: Bus) -> None:
    for lock in range(1, 25):
        if lock not in (1, 9, 17):
            emulator.open_door(2, lock)
    doors = await EightABoard(bus, 2, config=FAST_EIGHTA).read_doors()
    assert [lock for lock, door in doors.items() if door.closed] == [1, 9, 17]
    assert all(door.item_present is None for door in doors.values())


async def test_query_one_reads_a_single_door(emulator: EightABus, bus: Bus) -> None:
    emulator.open_door(1, 24)
    board = EightABoard(bus, 1, config=FAST_EIGHTA)
    assert (await board.read_door(24)).is_open
    assert (await board.read_door(23)).closed
    assert emulator.requests[-1].encode() == bytes.fromhex("80 01 17 33 a5")


async def test_jammed_lock_is_reported_by_the_board_without_waiting(emulator: EightABus, bus: Bus) -> None:
    emulator.jam_lock(1, 3)
    with pytest.raises(LockDidNotOpen):
        await EightABoard(bus, 1, config=FAST_EIGHTA).open_lock(3)
    assert emulator.requests_to(1) == 1


async def test_unlock_all_opens_every_lock_of_the_board(emulator: EightABus, bus: Bus) -> None:
    board = EightABoard(bus, 2, config=FAST_EIGHTA)
    await board.open_all()
    assert all(door.is_open for door in (await board.read_doors()).values())
    emulator.close_door(2, 5)
    emulator.jam_lock(2, 5)
    with pytest.raises(LockDidNotOpen):
        await board.open_all()


async def test_inverted_feedback_wiring_is_configuration() -> None:
    async with eighta_emulator((1,), 24, INVERTED) as emulator:
        path = await emulator.serve_pty()
        assert await asyncio.to_thread(exchange, path, "80 01 01 33 b3", 5) == "80 01 01 00 80"
        bus = await open_bus(path, SERIAL_BAUDRATE)
        board = EightABoard(bus, 1, config=INVERTED)
        await board.open_lock(2)
        emulator.jam_lock(1, 3)
        with pytest.raises(LockDidNotOpen):
            await board.open_lock(3)
        doors = await board.read_doors()
        assert [lock for lock, door in doors.items() if door.is_open] == [2]
        assert (await board.read_door(2)).is_open
        await bus.close()


async def test_slow_unlock_reply_is_awaited_longer_than_a_query() -> None:
    async with eighta_emulator((1,), 8, FAST_EIGHTA, unlock_reply_delay=0.15) as emulator:
        transport = await SerialTransport.open(await emulator.serve_pty(), baudrate=SERIAL_BAUDRATE)
        bus = Bus(transport, replace(FAST_BUS, retries=0))
        await EightABoard(bus, 1, locks=8, config=FAST_EIGHTA).open_lock(8)
        too_impatient = EightAConfig(query_timeout=0.1, unlock_timeout=0.05)
        with pytest.raises(BoardTimeout):
            await EightABoard(bus, 1, locks=8, config=too_impatient).open_lock(7)
        await bus.close()
