"""The emulator as the demo runs it: its own process, endpoint printed on stdout, commands on stdin."""

import asyncio
import signal
import sys
from collections.abc import AsyncIterator

import pytest
from board_rigs import FAST_BUS, FAST_EIGHTA, FAST_KERONG, open_bus

from parcellocker.boards.connection import open_transport
from parcellocker.boards.eighta import EightABoard
from parcellocker.boards.kerong import KerongBoard
from parcellocker.boards.port import Bus
from patience import START_WITHIN, STOP_WITHIN

Process = asyncio.subprocess.Process


async def start(*arguments: str) -> Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "parcellocker.boards.emulator",
        *arguments,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def say(process: Process, command: str) -> str:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(command.encode() + b"\n")
    await process.stdin.drain()
    return (await asyncio.wait_for(process.stdout.readline(), 5)).decode().strip()


async def first_line(process: Process) -> str:
    assert process.stdout is not None
    return (await asyncio.wait_for(process.stdout.readline(), START_WITHIN)).decode().strip()


@pytest.fixture
async def kerong_process() -> AsyncIterator[Process]:
    process = await start("--protocol", "kerong", "--boards", "2", "--pty", "--tcp", "127.0.0.1:0")
    yield process
    if process.returncode is None:
        process.kill()
        await process.wait()


async def test_standalone_kerong_emulator_serves_a_pty_and_tcp(kerong_process: Process) -> None:
    path, url = await first_line(kerong_process), await first_line(kerong_process)
    assert path.startswith("/dev/")
    assert url.startswith("tcp://127.0.0.1:")
    bus = await open_bus(path)
    await KerongBoard(bus, 1, config=FAST_KERONG).open_lock(3)
    assert await say(kerong_process, "force 0 2") == "ok"
    doors = await KerongBoard(bus, 0).read_doors()
    assert [lock for lock, door in doors.items() if door.is_open] == [2]
    await bus.close()
    over_tcp = Bus(await open_transport(url, baudrate=19200), FAST_BUS)
    assert (await KerongBoard(over_tcp, 1).read_door(3)).is_open
    await over_tcp.close()


async def test_standalone_emulator_stops_cleanly_on_sigterm(kerong_process: Process) -> None:
    await first_line(kerong_process)
    kerong_process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(kerong_process.wait(), STOP_WITHIN) == 0


async def test_standalone_eighta_emulator_serves_a_pty() -> None:
    process = await start("--protocol", "eighta", "--boards", "1", "--locks", "8", "--pty")
    try:
        bus = await open_bus(await first_line(process), 9600)
        board = EightABoard(bus, 1, locks=8, config=FAST_EIGHTA)
        await board.open_lock(8)
        assert [lock for lock, door in (await board.read_doors()).items() if door.is_open] == [8]
        assert await say(process, "show") == "board 1: 1:C 2:C 3:C 4:C 5:C 6:C 7:C 8:O"
        await bus.close()
    finally:
        process.kill()
        await process.wait()
