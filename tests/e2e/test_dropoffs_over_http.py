"""Sending from a locker and returns against the real server over HTTP, on SQLite and PostgreSQL: the carrier has a
drop-off code issued, the sender gets it by e-mail, the locker's terminal (its real HTTP link client) drops the
parcel off and reports its door, a courier collects it through the same link, and the carrier confirms it has it.
Every refusal is JSON with the right status; wrong drop-off codes and wrong pickup codes share one lockout."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from e2e.conftest import COURIER_PIN, Locker, Site
from parcellocker.terminal.link.http import HttpLink
from parcellocker.terminal.link.port import EventKind, LinkRefused, OutboxEvent


def terminal_link(site: Site, locker: Locker) -> HttpLink:
    return HttpLink(site.server.base_url, locker.id, locker.terminal.headers["Authorization"].removeprefix("Bearer "))


def issue(site: Site, locker_id: str, **overrides: Any) -> tuple[dict[str, Any], str]:
    """POST /dropoffs as the carrier; (the shipment, the sender's e-mail address)."""
    sender = f"{uuid.uuid4().hex[:12]}@sender.example"
    body = {
        "tracking_number": f"SND{uuid.uuid4().hex[:10].upper()}",
        "locker_id": locker_id,
        "size": "S",
        "sender": {"email": sender, "language": "en"},
        **overrides,
    }
    reply = site.carrier().post("/dropoffs", json=body)
    assert reply.status_code == 201, reply.text
    shipment: dict[str, Any] = reply.json()
    return shipment, sender


async def report_door(link: HttpLink, site: Site, compartment: int, state: str) -> str:
    receipt = await link.send_event(
        OutboxEvent(site.next_seq(), EventKind.DOOR, datetime.now(UTC), {"compartment": compartment, "state": state})
    )
    return receipt.outcome


def error_of(reply: Any, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = reply.json()["error"]
    assert set(error) >= {"code", "message"} and error["message"]
    return error


async def test_a_parcel_is_sent_from_a_locker_collected_and_handed_to_its_carrier(site: Site) -> None:
    locker = site.new_locker("S:2,M:2,L:1")
    link = terminal_link(site, locker)
    try:
        shipment, sender = issue(site, locker.id)
        assert (shipment["state"], shipment["kind"], shipment["recipient"]["email"]) == ("announced", "send", sender)
        assert shipment["dropoff_code_expires_at"] is not None
        message = site.message_to(sender)
        code = message["code"]
        assert len(code) == 6 and code in message["text"] and "Send a parcel" in message["text"]
        assert code not in str(shipment)  # never in an answer: only the sender is told

        opened = await link.drop_off(code)
        assert opened.tracking_number == shipment["tracking_number"] and 1 <= opened.compartment <= 2
        assert (await link.drop_off(code)).compartment == opened.compartment  # typed again: the same door
        assert await report_door(link, site, opened.compartment, "open") == "recorded"
        assert await report_door(link, site, opened.compartment, "closed") == "parcel_dropped_off"
        assert site.carrier().get(f"/shipments/{shipment['id']}").json()["state"] == "dropped_off"
        with pytest.raises(LinkRefused) as used:
            await link.drop_off(code)  # the code died with the drop-off
        assert (used.value.status, used.value.code) == (404, "dropoff_code_not_found")

        token = await link.sign_in_courier(site.server.seeded.courier_id, COURIER_PIN)
        listed = [p for p in await link.parcels_to_collect(token) if p.shipment_id == shipment["id"]]
        assert [(p.compartment, p.state, p.kind) for p in listed] == [(opened.compartment, "dropped_off", "send")]
        to_open = await link.collect(token, shipment["tracking_number"])
        assert to_open.compartment == opened.compartment
        assert await report_door(link, site, opened.compartment, "open") == "recorded"  # expected: no forced door
        assert await report_door(link, site, opened.compartment, "closed") == "parcel_collected"
        assert [p for p in await link.parcels_to_collect(token) if p.shipment_id == shipment["id"]] == []

        carrier = site.carrier()
        returned = carrier.post(f"/shipments/{shipment['id']}/return")
        assert error_of(returned, 409)["code"] == "illegal_transition"  # a sent parcel is handed over
        handed = carrier.post(f"/shipments/{shipment['id']}/handover")
        assert handed.status_code == 200, handed.text
        assert (handed.json()["state"], handed.json()["ended_at"] is not None) == ("handed_to_carrier", True)
        history = carrier.get(f"/shipments/{shipment['id']}/history").json()
        moves = [(move["from_state"], move["to_state"]) for move in history if move["from_state"] != move["to_state"]]
        assert moves == [
            (None, "announced"),
            ("announced", "dropped_off"),
            ("dropped_off", "collected"),
            ("collected", "handed_to_carrier"),
        ]
        compartment = site.operator().get(f"/lockers/{locker.id}").json()["compartments"][opened.compartment - 1]
        assert (compartment["state"], compartment["door"]) == ("free", "closed")
    finally:
        await link.close()


async def test_a_return_that_does_not_fit_goes_to_the_next_size(site: Site) -> None:
    locker = site.new_locker("S:1,M:1")
    link = terminal_link(site, locker)
    try:
        shipment, sender = issue(site, locker.id, kind="return", valid_for_hours=2)
        assert shipment["kind"] == "return"
        code = site.message_to(sender)["code"]
        assert (await link.drop_off(code)).compartment == 1
        bigger = await link.report_dropoff_problem(code, "does_not_fit")
        assert bigger.compartment == 2
        assert await report_door(link, site, 2, "closed") == "parcel_dropped_off"
        token = await link.sign_in_courier(site.server.seeded.courier_id, COURIER_PIN)
        [listed] = await link.parcels_to_collect(token)
        assert (listed.tracking_number, listed.kind) == (shipment["tracking_number"], "return")
    finally:
        await link.close()


def test_refusals_are_json_with_the_right_status(site: Site) -> None:
    locker = site.new_locker("S:1")
    carrier, terminal, courier = site.carrier(), locker.terminal, site.courier()
    base = {"tracking_number": "SND-ERR", "locker_id": locker.id, "size": "S", "sender": {"email": "a@b.example"}}

    assert error_of(courier.post("/dropoffs", json=base), 403)["code"] == "forbidden"
    assert error_of(site.anonymous.post("/dropoffs", json=base), 401)["code"] == "not_authenticated"
    assert error_of(carrier.post("/dropoffs", json={**base, "locker_id": "NOWHERE"}), 404)["code"] == "not_found"
    too_large = carrier.post("/dropoffs", json={**base, "size": "L"})
    assert error_of(too_large, 422)["code"] == "parcel_too_large"
    assert error_of(carrier.post("/dropoffs", json={**base, "kind": "delivery"}), 422)["code"] == "invalid_input"
    long = carrier.post("/dropoffs", json={**base, "valid_for_hours": 24 * 91})
    assert "valid_for_hours" in error_of(long, 422)["message"]
    no_contact = carrier.post("/dropoffs", json={**base, "sender": {"language": "en"}})
    assert error_of(no_contact, 422)["code"] == "invalid_input"
    shipment, _ = issue(site, locker.id)
    again = carrier.post("/dropoffs", json={**base, "tracking_number": shipment["tracking_number"]})
    assert error_of(again, 409)["code"] == "duplicate_tracking_number"

    dropoffs = f"/lockers/{locker.id}/dropoffs"
    assert error_of(terminal.post(dropoffs, json={"code": "12ab"}), 422)["code"] == "invalid_input"
    assert error_of(terminal.post(dropoffs, json={}), 422)["message"] == "code: is required"
    assert error_of(courier.post(dropoffs, json={"code": "123456"}), 403)["code"] == "forbidden"
    other = site.new_locker("S:1")
    assert error_of(other.terminal.post(dropoffs, json={"code": "123456"}), 403)["code"] == "forbidden"
    problem = terminal.post(f"{dropoffs}/problems", json={"code": "123456", "problem": "too_heavy"})
    assert error_of(problem, 422)["code"] == "invalid_input"
    handover = carrier.post(f"/shipments/{shipment['id']}/handover")
    assert error_of(handover, 409)["code"] == "illegal_transition"  # not dropped off and collected yet
    deposit = courier.post(f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]})
    assert error_of(deposit, 409)["code"] == "conflict"  # a courier does not deposit a parcel its sender drops off


def test_wrong_drop_off_and_pickup_codes_share_one_lockout(site: Site) -> None:
    locker = site.new_locker("S:2")
    shipment, sender = issue(site, locker.id)
    code = site.message_to(sender)["code"]
    wrong = next(c for c in ("000000", "111111", "222222") if c != code)
    dropoffs, pickups = f"/lockers/{locker.id}/dropoffs", f"/lockers/{locker.id}/pickups"
    tries = []
    for path in (pickups, pickups, dropoffs, pickups):
        error = error_of(locker.terminal.post(path, json={"code": wrong}), 404)
        tries.append((error["code"], error["remaining_tries"]))
    assert tries == [
        ("pickup_code_not_found", 4),
        ("pickup_code_not_found", 3),
        ("dropoff_code_not_found", 2),
        ("pickup_code_not_found", 1),
    ]
    locked = locker.terminal.post(dropoffs, json={"code": wrong})
    assert error_of(locked, 429)["code"] == "locked_out" and int(locked.headers["Retry-After"]) > 0
    assert error_of(locker.terminal.post(dropoffs, json={"code": code}), 429)["code"] == "locked_out"
    alarms = site.operator().get("/alarms", params={"locker_id": locker.id}).json()
    assert [alarm["kind"] for alarm in alarms] == ["lockout"]
    assert site.carrier().get(f"/shipments/{shipment['id']}").json()["state"] == "announced"


def test_an_idempotent_retry_of_an_issue_gives_the_same_shipment_and_sends_one_code(site: Site) -> None:
    locker = site.new_locker("S:1")
    carrier = site.carrier()
    sender = f"{uuid.uuid4().hex[:12]}@sender.example"
    body = {"tracking_number": f"SND{uuid.uuid4().hex[:8]}", "locker_id": locker.id, "size": "S"}
    body["sender"] = {"email": sender}  # type: ignore[assignment]
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = carrier.post("/dropoffs", json=body, headers=key)
    second = carrier.post("/dropoffs", json=body, headers=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    site.message_to(sender)
    assert len(site.messages_to(sender)) == 1
