"""A courier's round of deposits at a real terminal process, with the real server and an emulated Kerong bus on a pty,
while a lock does not open, a board answers garbage, or a board goes silent (the emulator's fault injection).

Short run (PARCELLOCKER_CHAOS unset or short): a few parcels; PARCELLOCKER_CHAOS=full: a longer round, with the
faults injected and cleared several times. Whatever happens, no parcel is lost or recorded in a compartment it is
not in: each stored parcel's compartment is the one whose door the emulator saw open and close for it.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import pytest
from terminal_rigs import COURIER_PIN, TerminalRig, eventually

from parcellocker.boards.emulator import Fault

pytestmark = pytest.mark.chaos

FULL = os.environ.get("PARCELLOCKER_CHAOS", "short") == "full"
ROUNDS = 4 if FULL else 1
"""How often each fault is injected and cleared in one test."""


async def sign_in(rig: TerminalRig) -> str:
    signed_in = await rig.kiosk_post("/courier/sign-in", {"courier_id": rig.lms.courier_id, "pin": COURIER_PIN})
    assert signed_in.status_code == 200, signed_in.text
    token: str = signed_in.json()["courier_token"]
    return token


async def try_deposit(rig: TerminalRig, token: str, shipment: dict[str, Any]) -> httpx.Response:
    return await rig.kiosk_post("/deposit", {"courier_token": token, "tracking_number": shipment["tracking_number"]})


async def stored_in(rig: TerminalRig, shipment: dict[str, Any]) -> int:
    """The compartment number the server records the parcel in, once it is stored."""
    await eventually(lambda: rig.shipment_state(shipment["id"]), "stored")
    compartment_id = (await rig.shipment(shipment["id"]))["compartment_id"]
    [(number,)] = rig.lms.query("SELECT number FROM compartments WHERE id = ?", compartment_id)
    assert isinstance(number, int)
    return number


async def deposit_and_close(rig: TerminalRig, token: str, size: str = "S") -> tuple[dict[str, Any], int]:
    shipment = await rig.announce(size)
    opened = await try_deposit(rig, token, shipment)
    assert opened.status_code == 200, opened.text
    number: int = opened.json()["compartment"]
    rig.emulator.put_item(*rig.lock_of(number))
    rig.close_door(number)
    assert await stored_in(rig, shipment) == number
    return shipment, number


def board_condition(board: int) -> Any:
    return lambda status: next(b["condition"] for b in status["boards"] if b["board"] == board)


async def test_lock_that_does_not_open_moves_the_courier_to_another_compartment_out_of_order_with_an_alarm(
    rig: TerminalRig,
) -> None:
    await rig.start()
    token = await sign_in(rig)
    stored = [await deposit_and_close(rig, token)]
    for _ in range(ROUNDS):
        for lock in range(1, 17):  # every lock of board 0 jammed: whichever compartment the server gives stays shut
            rig.emulator.jam_lock(0, lock)
        shipment = await rig.announce("S")
        refused = await try_deposit(rig, token, shipment)
        assert refused.status_code == 502, refused.text
        stuck = refused.json()["error"]["compartment"]
        assert rig.emulator.door_closed(*rig.lock_of(stuck))
        for lock in range(1, 17):  # only that one lock stays broken
            if (0, lock) != rig.lock_of(stuck):
                rig.emulator.free_lock(0, lock)

        moved = await rig.kiosk_post(
            "/deposit/problem",
            {"courier_token": token, "tracking_number": shipment["tracking_number"], "problem": "door_did_not_open"},
        )
        assert moved.status_code == 200, moved.text
        number = moved.json()["compartment"]
        assert number != stuck
        rig.emulator.put_item(*rig.lock_of(number))
        rig.close_door(number)
        assert await stored_in(rig, shipment) == number
        stored.append((shipment, number))
        assert (await rig.compartment(stuck))["state"] == "out_of_order"
        alarms = await eventually(rig.alarms, lambda found, stuck=stuck: any(a["compartment"] == stuck for a in found))
        assert {a["kind"] for a in alarms if a["compartment"] == stuck} == {"out_of_order"}  # as lock_did_not_open is
    stored.append(await deposit_and_close(rig, token))  # the round goes on
    assert len({number for _, number in stored}) == len(stored)
    status = await eventually(rig.status, lambda status: status["outbox_pending"] == 0)
    assert status["outbox_rejected"] == 0


async def test_board_answering_garbage_is_faulted_and_the_garbage_changes_no_state_then_the_round_continues(
    rig: TerminalRig,
) -> None:
    await rig.start()
    token = await sign_in(rig)
    stored = [await deposit_and_close(rig, token)]
    for _ in range(ROUNDS):
        await eventually(rig.status, lambda status: status["outbox_pending"] == 0)
        seq_before = rig.last_seq()
        compartments_before = {n: await rig.compartment(n) for (n,) in [(number,) for _, number in stored]}
        rig.emulator.inject(Fault.BAD_CHECKSUM, 0)  # every reply of board 0 corrupted until cleared
        rig.emulator.inject(Fault.WRONG_ADDRESS, 1)  # and board 1 answers as another board
        await eventually(rig.status, lambda status: board_condition(0)(status) == "faulted")
        await eventually(rig.status, lambda status: board_condition(1)(status) == "faulted")
        await asyncio.sleep(1.0)  # garbage keeps arriving for a while
        assert rig.last_seq() == seq_before  # no door event, no alarm came out of the garbage
        for number, before in compartments_before.items():
            after = await rig.compartment(number)
            assert (after["state"], after["door"]) == (before["state"], before["door"])
        rig.emulator.clear_faults()
        await eventually(rig.status, lambda status: board_condition(0)(status) == "healthy")
        await eventually(rig.status, lambda status: board_condition(1)(status) == "healthy")
        stored.append(await deposit_and_close(rig, token))  # the round continues
    assert len({number for _, number in stored}) == len(stored)
    for shipment, number in stored:
        assert await stored_in(rig, shipment) == number
        assert rig.emulator.compartment(*rig.lock_of(number)).item_present
    assert await rig.alarms() == []


async def test_silent_board_is_faulted_and_a_deposit_on_it_fails_cleanly_then_the_round_continues(
    rig: TerminalRig,
) -> None:
    """What the product does today: the terminal marks the board faulted; a deposit the server sends to it fails with
    502 and the parcel stays announced (not recorded anywhere); the courier moves on once the board is back."""
    await rig.start()
    token = await sign_in(rig)
    stored = [await deposit_and_close(rig, token)]
    for _ in range(ROUNDS):
        rig.emulator.inject(Fault.NO_ANSWER, 0)
        await eventually(rig.status, lambda status: board_condition(0)(status) == "faulted")
        shipment = await rig.announce("S")  # every S compartment is on board 0
        failed = await try_deposit(rig, token, shipment)
        assert failed.status_code == 502, failed.text
        assert (await rig.shipment(shipment["id"]))["state"] != "stored"
        rig.emulator.clear_faults()
        await eventually(rig.status, lambda status: board_condition(0)(status) == "healthy")
        await asyncio.sleep(0.5)
        opened = await rig.kiosk_post(
            "/deposit/problem",
            {"courier_token": token, "tracking_number": shipment["tracking_number"], "problem": "door_did_not_open"},
        )
        assert opened.status_code == 200, opened.text
        number = opened.json()["compartment"]
        rig.emulator.put_item(*rig.lock_of(number))
        rig.close_door(number)
        assert await stored_in(rig, shipment) == number
        stored.append((shipment, number))
    stored.append(await deposit_and_close(rig, token))
    assert len({number for _, number in stored}) == len(stored)


@pytest.mark.xfail(
    strict=True,
    reason="not built yet: the terminal does not report a faulted board (BoardFaulted is only logged), so the server "
    "raises no alarm and keeps offering the silent board's compartments",
)
async def test_silent_board_raises_an_alarm_and_its_compartments_are_not_offered(rig: TerminalRig) -> None:
    await rig.start()
    token = await sign_in(rig)
    rig.emulator.inject(Fault.NO_ANSWER, 0)
    await eventually(rig.status, lambda status: board_condition(0)(status) == "faulted")
    await eventually(rig.alarms, lambda found: len(found) >= 1, within=3.0)
    shipment = await rig.announce("S")
    opened = await try_deposit(rig, token, shipment)
    assert opened.status_code == 200 and rig.lock_of(opened.json()["compartment"])[0] == 1
