import asyncio
from collections.abc import AsyncIterator

import pytest
import serial
from board_rigs import FAST_KERONG, open_bus

from parcellocker.boards.emulator import BoardEmulator, Fault, kerong_emulator
from parcellocker.boards.kerong import KerongBoard, KerongEmulator
from parcellocker.boards.kerong import frames as kerong_frames
from parcellocker.boards.port import Bus

KerongBus = BoardEmulator[kerong_frames.Frame]


@pytest.fixture
async def emulator() -> AsyncIterator[KerongBus]:
    async with kerong_emulator((0, 1), 16) as emulator:
        yield emulator


@pytest.fixture
async def bus(emulator: KerongBus) -> AsyncIterator[Bus]:
    bus = await open_bus(await emulator.serve_pty())
    yield bus
    await bus.close()


def exchange(path: str, request: str, reply_length: int) -> bytes:
    """Raw bytes over the pty, with no driver in between."""
    with serial.serial_for_url(path, baudrate=19200, timeout=0.5) as port:
        port.write(bytes.fromhex(request))
        return bytes(port.read(reply_length))


def wire(emulator: KerongBus) -> list[str]:
    return [request.encode().hex(" ") for request in emulator.requests]


async def test_driver_puts_the_design_frames_on_the_line(emulator: KerongBus, bus: Bus) -> None:
    await KerongBoard(bus, 0, config=FAST_KERONG).open_lock(1)
    await KerongBoard(bus, 0, config=FAST_KERONG).open_lock(16)
    await KerongBoard(bus, 1, config=FAST_KERONG).open_lock(1)
    assert wire(emulator) == [
        "02 00 31 03 36",
        "02 00 30 03 35",
        "02 0f 31 03 45",
        "02 00 30 03 35",
        "02 10 31 03 46",
        "02 10 30 03 45",
    ]


async def test_status_reply_on_the_line_is_nine_bytes_with_the_door_bits(emulator: KerongBus) -> None:
    emulator.open_door(0, 2)
    emulator.put_item(0, 9)
    reply = await asyncio.to_thread(exchange, await emulator.serve_pty(), "02 00 30 03 35", 9)
    body = bytes.fromhex("02 00 30 fd ff 00 01 03")
    assert reply == body + bytes([sum(body) & 0xFF])


async def test_item_sensors_are_reported(emulator: KerongBus, bus: Bus) -> None:
    emulator.put_item(1, 3)
    emulator.put_item(1, 16)
    doors = await KerongBoard(bus, 1).read_doors()
    assert [lock for lock, door in doors.items() if door.item_present] == [3, 16]


async def test_cu12_board_reports_only_its_twelve_locks(bus: Bus) -> None:
    assert sorted(await KerongBoard(bus, 0, locks=12).read_doors()) == list(range(1, 13))


async def test_unlock_all_opens_every_door_of_that_board_only(emulator: KerongBus, bus: Bus) -> None:
    doors = await KerongBoard(bus, 1).open_all()
    assert all(door.is_open for door in doors.values())
    assert all(door.closed for door in (await KerongBoard(bus, 0).read_doors()).values())
    assert wire(emulator)[0] == "02 10 33 03 48"


async def test_set_pulse_time_reaches_the_board_in_10_ms_units(emulator: KerongBus, bus: Bus) -> None:
    await KerongBoard(bus, 1).set_pulse_time(500)
    assert wire(emulator) == ["02 10 37 00 32 03 7e"]
    assert isinstance(emulator.protocol, KerongEmulator)
    assert emulator.protocol.pulse_ms == {1: 500}


async def test_unlock_lost_on_the_line_is_sent_again(emulator: KerongBus, bus: Bus) -> None:
    emulator.inject(Fault.NO_ANSWER, 0, times=1)
    await KerongBoard(bus, 0, config=FAST_KERONG).open_lock(4)
    assert not emulator.door_closed(0, 4)
    assert wire(emulator).count("02 03 31 03 39") == 2


async def test_jammed_lock_is_tried_the_configured_number_of_times(emulator: KerongBus, bus: Bus) -> None:
    emulator.jam_lock(0, 4)
    with pytest.raises(Exception, match="still reads closed after 2 unlocks"):
        await KerongBoard(bus, 0, config=FAST_KERONG).open_lock(4)
    assert wire(emulator).count("02 03 31 03 39") == 2
    emulator.free_lock(0, 4)
    await KerongBoard(bus, 0, config=FAST_KERONG).open_lock(4)


async def test_firmware_that_answers_unlocks_does_not_spoil_the_next_request() -> None:
    async with kerong_emulator((0,), echo_unlocks=True) as emulator:
        bus = await open_bus(await emulator.serve_pty())
        board = KerongBoard(bus, 0, config=FAST_KERONG)
        await board.open_lock(2)
        await board.open_all()
        assert (await board.read_door(2)).is_open
        assert bus.stats.bad_frames == 0
        await bus.close()
