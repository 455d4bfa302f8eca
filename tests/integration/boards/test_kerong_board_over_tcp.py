"""The same Kerong frames over TCP (serial-to-Ethernet boards, port 5000 on real hardware)."""

import socket
import time
from collections.abc import AsyncIterator

import pytest
from board_rigs import FAST_BUS, FAST_KERONG

from parcellocker.boards.connection import open_transport
from parcellocker.boards.emulator import BoardEmulator, Fault, kerong_emulator
from parcellocker.boards.kerong import SERIAL_BAUDRATE, KerongBoard
from parcellocker.boards.kerong import frames as kerong_frames
from parcellocker.boards.port import BoardConnectionError, BoardProtocolError, BoardTimeout, Bus
from parcellocker.boards.tcp_transport import TcpTransport

KerongBus = BoardEmulator[kerong_frames.Frame]


@pytest.fixture
async def emulator() -> AsyncIterator[KerongBus]:
    async with kerong_emulator((0, 1), 16) as emulator:
        yield emulator


@pytest.fixture
async def port(emulator: KerongBus) -> int:
    return await emulator.serve_tcp("127.0.0.1", 0)


@pytest.fixture(params=["tcp", "socket"])
async def bus(request: pytest.FixtureRequest, port: int) -> AsyncIterator[Bus]:
    """Over asyncio streams (tcp://) and over pyserial's socket:// URL."""
    url = f"{request.param}://127.0.0.1:{port}"
    bus = Bus(await open_transport(url, baudrate=SERIAL_BAUDRATE), FAST_BUS)
    yield bus
    await bus.close()


async def test_kerong_over_tcp_opens_a_lock_and_reads_the_doors(emulator: KerongBus, bus: Bus) -> None:
    await KerongBoard(bus, 1, config=FAST_KERONG).open_lock(8)
    doors = await KerongBoard(bus, 1).read_doors()
    assert [lock for lock, door in doors.items() if door.is_open] == [8]
    assert emulator.requests[0].encode() == bytes.fromhex("02 17 31 03 4d")


async def test_silent_board_over_tcp_times_out_after_retries(emulator: KerongBus, bus: Bus) -> None:
    emulator.inject(Fault.NO_ANSWER, 0)
    started = time.monotonic()
    with pytest.raises(BoardTimeout):
        await KerongBoard(bus, 0).read_doors()
    assert time.monotonic() - started < 1.0
    assert emulator.requests_to(0) == 3


async def test_corrupted_reply_over_tcp_is_retried(emulator: KerongBus, bus: Bus) -> None:
    emulator.inject(Fault.BAD_CHECKSUM, 0, times=2)
    assert (await KerongBoard(bus, 0).read_door(1)).closed
    assert bus.stats.bad_frames == 2
    emulator.inject(Fault.WRONG_ADDRESS, 0)
    with pytest.raises(BoardProtocolError):
        await KerongBoard(bus, 0).read_door(1)


async def test_tcp_url_without_a_port_takes_the_default_port(port: int) -> None:
    transport = await open_transport("tcp://127.0.0.1", baudrate=SERIAL_BAUDRATE, default_tcp_port=port)
    assert (await KerongBoard(Bus(transport, FAST_BUS), 0).read_door(1)).closed
    await transport.close()


async def test_tcp_url_without_any_port_is_refused() -> None:
    with pytest.raises(ValueError):
        await open_transport("tcp://127.0.0.1", baudrate=SERIAL_BAUDRATE)


async def test_nobody_listening_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    with pytest.raises(BoardConnectionError):
        await TcpTransport.open("127.0.0.1", free_port)


async def test_board_hanging_up_is_a_connection_error(emulator: KerongBus, port: int) -> None:
    transport = await TcpTransport.open("127.0.0.1", port)
    await emulator.close()
    with pytest.raises(BoardConnectionError):
        await Bus(transport, FAST_BUS).request(b"\x02\x00\x30\x03\x35", lambda received: received)
    await transport.close()
