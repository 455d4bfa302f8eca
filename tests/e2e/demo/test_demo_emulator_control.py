"""The demo's emulator control over HTTP, as the kiosk's emulator panel calls it: every action, seen through the
real Kerong driver reading the emulated boards over their pseudo-terminal, and both errors of the contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from parcellocker.boards.kerong import KerongBoard, KerongConfig
from parcellocker.boards.port import Bus, BusSettings, LockDidNotOpen
from parcellocker.boards.serial_transport import SerialTransport
from parcellocker.demo_boards import DemoBoards
from parcellocker.demo_emulator_control import EmulatorControl
from parcellocker.demo_site import compartment_sizes, demo_wiring
from parcellocker.server_process import free_port

KIOSK = "http://127.0.0.1:8600"
FAST_BUS = BusSettings(timeout=0.1, retries=2, silence=0.01, resync_limit=0.2)
FAST_KERONG = KerongConfig(confirm_within=0.15, confirm_interval=0.02, unlock_attempts=2)


@pytest.fixture
async def boards() -> AsyncIterator[DemoBoards]:
    boards = DemoBoards(demo_wiring())
    await boards.start()
    yield boards
    await boards.close()


@pytest.fixture
async def control(boards: DemoBoards) -> AsyncIterator[aiohttp.ClientSession]:
    served = EmulatorControl(boards, compartment_sizes(), kiosk_origins=(KIOSK,))
    url = await served.start(free_port())
    async with aiohttp.ClientSession(url) as http:
        yield http
    await served.close()


@pytest.fixture
async def board_0(boards: DemoBoards) -> AsyncIterator[KerongBoard]:
    """The real driver on the emulated bus's pty, as the terminal opens it."""
    bus = Bus(await SerialTransport.open(boards.pty, baudrate=19200), FAST_BUS)
    yield KerongBoard(bus, 0, config=FAST_KERONG)
    await bus.close()


async def post(http: aiohttp.ClientSession, path: str, status: int = 200) -> dict[str, Any]:
    async with http.post(path) as response:
        assert response.status == status, await response.text()
        body: dict[str, Any] = await response.json()
        return body


async def door_9_reads_closed(board: KerongBoard) -> bool:
    return (await board.read_door(9)).closed


async def test_doors_lists_every_compartment_in_order_with_size_and_wiring(control: aiohttp.ClientSession) -> None:
    async with control.get("/doors") as response:
        assert response.status == 200
        doors = (await response.json())["doors"]

    assert [door["compartment"] for door in doors] == list(range(1, 19))
    assert [door["size"] for door in doors] == ["S"] * 8 + ["M"] * 6 + ["L"] * 4
    assert doors[0] == {"compartment": 1, "size": "S", "board": 0, "lock": 1, "door": "closed",
                        "locked": True, "jammed": False, "item": False}  # fmt: skip
    assert (doors[16]["board"], doors[16]["lock"], doors[17]["lock"]) == (1, 1, 2)


async def test_open_and_close_move_the_door_the_driver_reads(
    control: aiohttp.ClientSession, board_0: KerongBoard
) -> None:
    opened = await post(control, "/doors/9/open")
    assert opened == {"compartment": 9, "size": "M", "board": 0, "lock": 9, "door": "open",
                      "locked": False, "jammed": False, "item": False}  # fmt: skip
    assert not await door_9_reads_closed(board_0)

    closed = await post(control, "/doors/9/close")
    assert (closed["door"], closed["locked"]) == ("closed", True)
    assert await door_9_reads_closed(board_0)


async def test_force_pulls_a_latched_door_open_and_refuses_an_open_one(
    control: aiohttp.ClientSession, board_0: KerongBoard, boards: DemoBoards
) -> None:
    forced = await post(control, "/doors/9/force")
    assert (forced["door"], forced["locked"]) == ("open", False)
    assert boards.bus.compartment(0, 9).forced
    assert not await door_9_reads_closed(board_0)

    again = await post(control, "/doors/9/force", status=409)
    assert again["error"]["code"] == "door_not_latched"
    assert "close it first" in again["error"]["message"]


async def test_jam_keeps_the_lock_shut_on_unlock_until_freed(
    control: aiohttp.ClientSession, board_0: KerongBoard
) -> None:
    jammed = await post(control, "/doors/9/jam")
    assert (jammed["jammed"], jammed["door"]) == (True, "closed")
    with pytest.raises(LockDidNotOpen):
        await board_0.open_lock(9)
    assert await door_9_reads_closed(board_0)

    freed = await post(control, "/doors/9/free")
    assert (freed["jammed"], freed["door"]) == (False, "closed")
    await board_0.open_lock(9)

    async with control.get("/doors") as response:
        door_9 = (await response.json())["doors"][8]
    assert (door_9["door"], door_9["locked"]) == ("open", False)  # the driver's unlock, as the control sees it


@pytest.mark.parametrize("compartment", ["19", "0", "nine", "-1"])
async def test_a_compartment_the_locker_lacks_is_404(control: aiohttp.ClientSession, compartment: str) -> None:
    answer = await post(control, f"/doors/{compartment}/open", status=404)
    assert answer["error"]["code"] == "unknown_compartment"
    assert "1 to 18" in answer["error"]["message"]


async def test_an_unknown_action_is_400_and_changes_nothing(control: aiohttp.ClientSession) -> None:
    answer = await post(control, "/doors/9/explode", status=400)
    assert answer["error"]["code"] == "unknown_action"
    assert "open, close, force, jam, free" in answer["error"]["message"]
    async with control.get("/doors") as response:
        assert (await response.json())["doors"][8]["door"] == "closed"


async def test_other_paths_answer_in_the_json_error_shape(control: aiohttp.ClientSession) -> None:
    async with control.get("/nowhere") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "not_found"
    async with control.get("/doors/9/open") as response:
        assert response.status == 405
        assert (await response.json())["error"]["code"] == "method_not_allowed"


async def test_only_the_kiosk_pages_may_call_it_from_a_browser(control: aiohttp.ClientSession) -> None:
    preflight = {"Origin": KIOSK, "Access-Control-Request-Method": "POST"}
    async with control.options("/doors/9/open", headers=preflight) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == KIOSK
    async with control.get("/doors", headers={"Origin": KIOSK}) as response:
        assert response.headers["Access-Control-Allow-Origin"] == KIOSK
    async with control.get("/doors", headers={"Origin": "http://127.0.0.1:9999"}) as response:
        assert "Access-Control-Allow-Origin" not in response.headers


async def test_a_port_in_use_is_refused_with_a_clear_message(boards: DemoBoards) -> None:
    first = EmulatorControl(boards, compartment_sizes())
    port = free_port()
    await first.start(port)
    try:
        with pytest.raises(RuntimeError, match=f"cannot listen on 127.0.0.1:{port}"):
            await EmulatorControl(boards, compartment_sizes()).start(port)
    finally:
        await first.close()
