"""The kiosk's drop-offs (a sender's code) and collections (a courier's listed parcel): both need the server, and
the door the server names opens for its purpose, its events in the store before the kiosk is answered."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from kiosk_desk_rigs import KioskRig, door_events, kiosk_rig

from parcellocker.terminal.kiosk.api import create_kiosk_app
from parcellocker.terminal.kiosk.errors import DoorDidNotOpen, RefusedByServer, ServerUnreachable, TooManyTries
from parcellocker.terminal.link.port import CompartmentToOpen, LinkRefused
from parcellocker.terminal.store import TerminalStore

Rig = KioskRig


@pytest.fixture
async def rig(store: TerminalStore) -> AsyncIterator[Rig]:
    yield await kiosk_rig(store)


async def test_a_drop_off_code_opens_the_compartment_the_server_names(rig: Rig) -> None:
    rig.link.dropoff_answer = CompartmentToOpen(3, "ship-3", "SND-3")
    opened = await rig.kiosk.drop_off("517093", reachable=True)
    assert (opened.compartment, opened.shipment_id, opened.tracking_number) == (3, "ship-3", "SND-3")
    assert rig.link.dropoffs == [("517093", True)]
    assert rig.board.unlocks == [3]
    assert door_events(rig.store) == [(3, "open")]  # on disk before the answer
    assert rig.health.up is True


async def test_does_not_fit_asks_the_server_for_another_compartment_and_opens_it(rig: Rig) -> None:
    rig.link.dropoff_answer = CompartmentToOpen(7, "ship-3", "SND-3")
    opened = await rig.kiosk.report_dropoff_problem("517093", "does_not_fit")
    assert opened.compartment == 7 and rig.board.unlocks == [7]
    assert rig.link.dropoff_problems == [("517093", "does_not_fit")]


async def test_a_drop_off_needs_the_server(rig: Rig) -> None:
    rig.link.down = True
    with pytest.raises(ServerUnreachable, match="sending must wait"):
        await rig.kiosk.drop_off("517093")
    assert rig.board.unlocks == [] and rig.health.up is False


async def test_a_wrong_code_is_passed_on_with_its_tries_and_a_lockout_as_its_wait(rig: Rig) -> None:
    rig.link.dropoff_answer = LinkRefused(404, "dropoff_code_not_found", "no parcel", {"remaining_tries": 2})
    with pytest.raises(RefusedByServer) as wrong:
        await rig.kiosk.drop_off("000000")
    assert (wrong.value.status, wrong.value.code, wrong.value.details) == (
        404,
        "dropoff_code_not_found",
        {"remaining_tries": 2},
    )
    rig.link.dropoff_answer = LinkRefused(429, "locked_out", "wait", {"retry_after_seconds": 60})
    with pytest.raises(TooManyTries) as locked:
        await rig.kiosk.drop_off("000000")
    assert locked.value.retry_after_seconds == 60
    assert rig.board.unlocks == []


async def test_a_door_that_does_not_open_for_a_sender_is_said_so(rig: Rig) -> None:
    rig.board.jammed.add(3)
    rig.link.dropoff_answer = CompartmentToOpen(3, "ship-3", "SND-3")
    with pytest.raises(DoorDidNotOpen):
        await rig.kiosk.drop_off("517093")


async def test_a_courier_collects_a_listed_parcel_its_door_opening_for_the_collection(rig: Rig) -> None:
    rig.link.collect_answer = CompartmentToOpen(4, "ship-4", "SND-4")
    opened = await rig.kiosk.collect("token-of-kuba", "SND-4")
    assert (opened.compartment, opened.tracking_number) == (4, "SND-4")
    assert rig.link.collections == [("token-of-kuba", "SND-4")]
    assert rig.board.unlocks == [4]
    rig.link.collect_answer = LinkRefused(409, "illegal_transition", "only parcels that expired …", {})
    with pytest.raises(RefusedByServer) as refused:
        await rig.kiosk.collect("token-of-kuba", "TRK-1")
    assert refused.value.code == "illegal_transition"
    rig.link.down = True
    with pytest.raises(ServerUnreachable, match="collecting must wait"):
        await rig.kiosk.collect("token-of-kuba", "SND-4")


async def test_the_kiosk_api_serves_drop_offs_and_collections_with_errors_as_json(rig: Rig) -> None:
    app = create_kiosk_app(rig.kiosk)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kiosk") as kiosk:
        rig.link.dropoff_answer = CompartmentToOpen(3, "ship-3", "SND-3")
        dropped = await kiosk.post("/dropoff", json={"code": "517093"})
        assert dropped.status_code == 200 and dropped.json()["compartment"] == 3
        problem = await kiosk.post("/dropoff/problem", json={"code": "517093", "problem": "does_not_fit"})
        assert problem.status_code == 200
        bad = await kiosk.post("/dropoff/problem", json={"code": "517093", "problem": "too_heavy"})
        assert bad.status_code == 422 and bad.json()["error"] == {"code": "invalid_input", "message": "check problem"}
        rig.link.collect_answer = CompartmentToOpen(4, "ship-4", "SND-4")
        collected = await kiosk.post("/courier/collect", json={"courier_token": "t", "tracking_number": "SND-4"})
        assert collected.status_code == 200 and collected.json()["tracking_number"] == "SND-4"
        rig.link.dropoff_answer = LinkRefused(404, "dropoff_code_not_found", "no parcel", {"remaining_tries": 4})
        wrong = await kiosk.post("/dropoff", json={"code": "000000"})
        assert wrong.status_code == 404
        assert wrong.json()["error"] == {"code": "dropoff_code_not_found", "message": "no parcel", "remaining_tries": 4}
        rig.link.down = True
        down = await kiosk.post("/dropoff", json={"code": "517093"})
        assert down.status_code == 503 and down.json()["error"]["code"] == "server_unreachable"
