"""The kiosk's use cases: the server decides while it can be reached, the terminal itself otherwise; the door
events a kiosk request caused are in the store before it is answered."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from kiosk_desk_rigs import KioskRig, door_events, kiosk_rig
from terminal_fakes import LOCKER_KEY, NOW, sheet_code

from parcellocker.terminal.doors import OpeningPurpose
from parcellocker.terminal.kiosk.errors import (
    DoorDidNotOpen,
    PickupNotFound,
    RefusedByServer,
    ServerUnreachable,
    TooManyTries,
)
from parcellocker.terminal.link.port import CodeSheet, CompartmentToOpen, EventKind, LinkDown, LinkRefused
from parcellocker.terminal.store import TerminalStore

Rig = KioskRig


@pytest.fixture
async def rig(store: TerminalStore) -> AsyncIterator[Rig]:
    rig = await kiosk_rig(store)
    store.codes.replace(CodeSheet(LOCKER_KEY, b"q" * 32, [sheet_code(5, "555555", "ship-5")], "v1"), NOW)
    yield rig


async def test_pickup_checked_by_the_server_opens_the_compartment_it_names(rig: Rig) -> None:
    rig.link.pickup_answer = CompartmentToOpen(5, "ship-5", "TN-5")
    opened = await rig.kiosk.pick_up(code="555555")
    assert (opened.compartment, opened.checked_by) == (5, "server")
    assert rig.board.unlocks == [5]
    assert door_events(rig.store) == [(5, "open")]  # on disk before the answer
    assert rig.store.codes.live(NOW) == []  # and no longer good offline


async def test_pickup_while_the_server_cannot_be_reached_is_checked_by_the_terminal(rig: Rig) -> None:
    rig.link.down = True
    opened = await rig.kiosk.pick_up(code="555555")
    assert (opened.compartment, opened.checked_by) == (5, "terminal")
    assert rig.board.unlocks == [5]
    kinds = [event.kind for event in rig.store.outbox.pending()]
    assert kinds == [EventKind.PICKUP_OFFLINE, EventKind.DOOR]  # the pickup is numbered before its door opens
    assert rig.health.up is False


async def test_once_the_server_is_known_down_it_is_not_asked(rig: Rig) -> None:
    rig.health.mark_down("connection refused")
    await rig.kiosk.pick_up(code="555555")
    assert rig.link.pickups == []


async def test_a_code_the_server_refuses_is_not_tried_offline(rig: Rig) -> None:
    rig.link.pickup_answer = LinkRefused(404, "pickup_code_not_found", "no parcel", {"remaining_tries": 3})
    with pytest.raises(RefusedByServer) as refused:
        await rig.kiosk.pick_up(code="555555")
    assert (refused.value.status, refused.value.details) == (404, {"remaining_tries": 3})
    assert rig.board.unlocks == []


async def test_the_servers_lockout_is_passed_on(rig: Rig) -> None:
    rig.link.pickup_answer = LinkRefused(429, "locked_out", "wait", {"retry_after_seconds": 120})
    with pytest.raises(TooManyTries) as locked:
        await rig.kiosk.pick_up(code="555555")
    assert locked.value.retry_after_seconds == 120


async def test_a_wrong_code_offline_opens_nothing(rig: Rig) -> None:
    rig.link.down = True
    with pytest.raises(PickupNotFound):
        await rig.kiosk.pick_up(code="000000")
    assert rig.board.unlocks == []


async def test_a_jammed_lock_is_reported_and_the_code_stays_good(rig: Rig) -> None:
    rig.link.down = True
    rig.board.jammed.add(5)
    with pytest.raises(DoorDidNotOpen):
        await rig.kiosk.pick_up(code="555555")
    alarms = [e.body["alarm"] for e in rig.store.outbox.pending() if e.kind is EventKind.ALARM]
    assert alarms == ["lock_did_not_open"]
    rig.board.jammed.clear()
    assert (await rig.kiosk.pick_up(code="555555")).compartment == 5


async def test_deposit_opens_the_compartment_the_server_gives_for_the_deposit(rig: Rig) -> None:
    rig.link.deposit_answer = CompartmentToOpen(2, "ship-2", "TN-2")
    token = await rig.kiosk.sign_in_courier("courier-1", "1234")
    opened = await rig.kiosk.deposit(token, "TN-2")
    assert (opened.compartment, opened.tracking_number) == (2, "TN-2")
    assert rig.coordinator.snapshot.door(2).opened_for is OpeningPurpose.DEPOSIT


async def test_deposit_needs_the_server(rig: Rig) -> None:
    rig.link.deposit_answer = LinkDown("timed out")
    with pytest.raises(ServerUnreachable):
        await rig.kiosk.deposit("token", "TN-2")
    assert rig.board.unlocks == []


async def test_a_door_that_did_not_open_for_a_pickup_checked_online_leaves_the_code_good_offline(rig: Rig) -> None:
    rig.link.pickup_answer = CompartmentToOpen(5, "ship-5", "TN-5")
    rig.board.jammed.add(5)
    with pytest.raises(DoorDidNotOpen):
        await rig.kiosk.pick_up(code="555555")
    rig.board.jammed.clear()
    rig.link.down = True
    assert (await rig.kiosk.pick_up(code="555555")).checked_by == "terminal"


async def test_a_compartment_the_server_names_that_is_not_wired_here_is_a_door_that_did_not_open(rig: Rig) -> None:
    rig.link.pickup_answer = CompartmentToOpen(40, "ship-40", "TN-40")
    with pytest.raises(DoorDidNotOpen):
        await rig.kiosk.pick_up(code="555555")
