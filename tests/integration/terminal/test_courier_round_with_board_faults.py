"""A courier's round of deposits at a real terminal process, with the real server and an emulated Kerong bus on a pty,
while a lock does not open, a board answers garbage, or a board goes silent (the emulator's fault injection).

Short run (PARCELLOCKER_CHAOS unset or short): a few parcels; PARCELLOCKER_CHAOS=full: a longer round, with the
faults injected and cleared several times. Whatever happens, no parcel is lost or recorded in a compartment it is
not in: each stored parcel's compartment is the one whose door the emulator saw open and close for it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from typing import Any

import httpx
import pytest
from terminal_rigs import COURIER_PIN, TerminalRig, eventually

from parcellocker.boards.emulator import Fault

pytestmark = pytest.mark.chaos

FULL = os.environ.get("PARCELLOCKER_CHAOS", "short") == "full"
ROUNDS = 4 if FULL else 1
"""How often each fault is injected and cleared in one test."""
PROBE = 16
"""An M compartment on board 0 that the round's S parcels never need: free unless its board is silent."""


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


def door_events_since(rig: TerminalRig, seq: int) -> list[dict[str, Any]]:
    """The door events the terminal wrote to its outbox after `seq`."""
    with sqlite3.connect(f"file:{rig.folder / 'terminal.db'}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT body FROM outbox WHERE seq > ? AND kind = 'door'", (seq,)).fetchall()
    return [json.loads(body) for (body,) in rows]


async def board_alarms(rig: TerminalRig, board: int) -> list[dict[str, Any]]:
    """The alarms of `board` not answering properly (on a loaded machine another board may time out now and then,
    and is rightly reported too: it is not counted here)."""
    return [a for a in await rig.alarms() if a["compartment"] is None and a["message"].startswith(f"board {board}:")]


async def test_board_answering_garbage_is_faulted_and_the_garbage_changes_no_door_then_the_round_continues(
    rig: TerminalRig,
) -> None:
    await rig.start()
    token = await sign_in(rig)
    stored = [await deposit_and_close(rig, token)]
    for round_ in range(ROUNDS):
        await eventually(rig.status, lambda status: status["outbox_pending"] == 0)
        seq_before = rig.last_seq()
        compartments_before = {number: await rig.compartment(number) for _, number in stored}
        rig.emulator.inject(Fault.BAD_CHECKSUM, 0)  # every reply of board 0 corrupted until cleared
        rig.emulator.inject(Fault.WRONG_ADDRESS, 1)  # and board 1 answers as another board
        await eventually(rig.status, lambda status: board_condition(0)(status) == "faulted")
        await eventually(rig.status, lambda status: board_condition(1)(status) == "faulted")
        await asyncio.sleep(0.5)  # garbage keeps arriving for a while
        assert door_events_since(rig, seq_before) == []  # no door changed because of the garbage
        for number, before in compartments_before.items():
            after = await rig.compartment(number)
            assert (after["state"], after["door"]) == (before["state"], before["door"])
        for board in (0, 1):
            await eventually(lambda board=board: board_alarms(rig, board), lambda found, n=round_ + 1: len(found) >= n)
        rig.emulator.clear_faults()
        await eventually(rig.status, lambda status: board_condition(0)(status) == "healthy")
        await eventually(rig.status, lambda status: board_condition(1)(status) == "healthy")
        await eventually(rig.status, lambda status: status["outbox_pending"] == 0)
        stored.append(await deposit_and_close(rig, token))  # the round continues
    assert len({number for _, number in stored}) == len(stored)
    for shipment, number in stored:
        assert await stored_in(rig, shipment) == number
        assert rig.emulator.compartment(*rig.lock_of(number)).item_present


async def test_silent_board_raises_an_alarm_its_compartments_are_not_offered_and_come_back_when_it_answers(
    rig: TerminalRig,
) -> None:
    await rig.start()
    token = await sign_in(rig)
    stored = [await deposit_and_close(rig, token)]
    for round_ in range(ROUNDS):
        rig.emulator.inject(Fault.NO_ANSWER, 0)
        await eventually(rig.status, lambda status: board_condition(0)(status) == "faulted")
        await eventually(lambda: board_alarms(rig, 0), lambda found, n=round_ + 1: len(found) >= n)
        await eventually(lambda: rig.compartment(PROBE), lambda found: found["state"] == "out_of_order")
        shipment = await rig.announce("S")  # every S compartment is on board 0: only board 1's may be offered
        answer = await try_deposit(rig, token, shipment)
        if answer.status_code == 200:
            number = answer.json()["compartment"]
            assert rig.lock_of(number)[0] == 1
            rig.emulator.put_item(*rig.lock_of(number))
            rig.close_door(number)
            assert await stored_in(rig, shipment) == number
            stored.append((shipment, number))
        else:
            assert answer.status_code == 409 and answer.json()["error"]["code"] == "locker_full", answer.text
            assert (await rig.shipment(shipment["id"]))["state"] == "announced"
        for _, number in stored:  # the parcels already in are left where they are
            assert (await rig.compartment(number))["state"] == "occupied"
        rig.emulator.clear_faults()
        await eventually(rig.status, lambda status: board_condition(0)(status) == "healthy")
        await eventually(lambda: rig.compartment(PROBE), lambda found: found["state"] == "free")
        stored.append(await deposit_and_close(rig, token))  # the round continues on board 0
        assert rig.lock_of(stored[-1][1])[0] == 0
    assert len({number for _, number in stored}) == len(stored)
    for shipment, number in stored:
        assert await stored_in(rig, shipment) == number
