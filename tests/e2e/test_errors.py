"""Every bad input gets a JSON error with the right status and a message a person understands; never a 500."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Site


def error_of(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = reply.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and len(error["message"]) > 10
    return error


def test_a_shipment_for_an_unknown_locker_is_not_found(site: Site) -> None:
    reply = site.carrier().post(
        "/shipments",
        json={"tracking_number": "ERR-1", "locker_id": "NO-SUCH-LOCKER", "size": "S", "recipient": {"email": "a@b.c"}},
    )
    assert "NO-SUCH-LOCKER" in error_of(reply, 404, "not_found")["message"]


def test_an_unknown_locker_is_not_found(site: Site) -> None:
    error_of(site.operator().get("/lockers/NO-SUCH-LOCKER"), 404, "not_found")
    reply = site.courier().post("/lockers/NO-SUCH-LOCKER/deposits", json={"tracking_number": "X"})
    error_of(reply, 404, "not_found")


def test_malformed_json_is_a_bad_request(site: Site) -> None:
    reply = site.carrier().post(
        "/shipments", content=b'{"tracking_number": "ERR-2", ', headers={"Content-Type": "application/json"}
    )
    assert error_of(reply, 400, "malformed_json")["message"] == "the request body is not valid JSON"


def test_a_body_not_sent_as_json_says_how_to_send_it(site: Site) -> None:
    reply = site.carrier().post("/shipments", content=b"tracking_number=ERR-3", headers={"Content-Type": "text/plain"})
    assert "application/json" in error_of(reply, 415, "unsupported_media_type")["message"]


def test_a_missing_field_is_named(site: Site) -> None:
    reply = site.carrier().post("/shipments", json={"tracking_number": "ERR-4", "size": "S", "recipient": {}})
    error = error_of(reply, 422, "invalid_input")
    assert "locker_id: is required" in error["message"]
    assert {"field": "locker_id", "problem": "is required"} in error["fields"]


def test_a_wrongly_typed_nested_field_is_named(site: Site) -> None:
    locker = site.new_locker("S:1")
    reply = site.carrier().post(
        "/shipments",
        json={"tracking_number": "ERR-5", "locker_id": locker.id, "size": "S", "recipient": {"email": 42}},
    )
    assert error_of(reply, 422, "invalid_input")["message"].startswith("recipient.email:")


def test_a_recipient_without_any_contact_is_refused(site: Site) -> None:
    locker = site.new_locker("S:1")
    reply = site.carrier().post(
        "/shipments", json={"tracking_number": "ERR-6", "locker_id": locker.id, "size": "S", "recipient": {}}
    )
    assert "e-mail" in error_of(reply, 422, "invalid_input")["message"]


def test_a_parcel_that_fits_no_compartment_is_refused(site: Site) -> None:
    locker = site.new_locker("S:1,M:1,L:1")
    reply = site.carrier().post(
        "/shipments",
        json={
            "tracking_number": "ERR-7",
            "locker_id": locker.id,
            "dimensions": {"height_mm": 900, "width_mm": 900, "depth_mm": 900},
            "recipient": {"email": "big@e2e.example"},
        },
    )
    assert "fits in no compartment" in error_of(reply, 422, "parcel_too_large")["message"]
    assert site.carrier().get("/shipments", params={"tracking_number": "ERR-7"}).json() == []  # nothing half-written


def test_an_unknown_size_is_refused_with_the_sizes_there_are(site: Site) -> None:
    locker = site.new_locker("S:1")
    reply = site.carrier().post(
        "/shipments",
        json={"tracking_number": "ERR-8", "locker_id": locker.id, "size": "XXL", "recipient": {"email": "a@b.c"}},
    )
    assert "size:" in error_of(reply, 422, "invalid_input")["message"]


def test_a_tracking_number_announced_twice_is_a_conflict(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment = site.announce(locker.id, "S")
    reply = site.carrier().post(
        "/shipments",
        json={
            "tracking_number": shipment["tracking_number"],
            "locker_id": locker.id,
            "size": "S",
            "recipient": {"email": "a@b.c"},
        },
    )
    assert shipment["tracking_number"] in error_of(reply, 409, "duplicate_tracking_number")["message"]
    found = site.carrier().get("/shipments", params={"tracking_number": shipment["tracking_number"]}).json()
    assert len(found) == 1


def test_a_pickup_of_a_parcel_already_picked_up_is_not_found(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, number = site.store(locker)
    message = site.message_to(shipment["recipient"]["email"])
    assert locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": message["code"]}).status_code == 200
    site.door(locker, number, "closed")

    by_code = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": message["code"]})
    by_qr = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"qr_token": message["qr_token"]})

    error_of(by_code, 404, "pickup_code_not_found")
    error_of(by_qr, 404, "pickup_code_not_found")


def test_a_pickup_without_code_or_token_is_refused(site: Site) -> None:
    locker = site.new_locker("S:1")
    reply = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={})
    assert "code" in error_of(reply, 422, "invalid_input")["message"]


def test_a_code_that_cannot_be_a_code_is_refused(site: Site) -> None:
    locker = site.new_locker("S:1")
    reply = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": "abc"})
    assert "digits" in error_of(reply, 422, "invalid_input")["message"]


def test_a_door_event_for_an_unknown_compartment_is_not_found(site: Site) -> None:
    locker = site.new_locker("S:2")
    reply = locker.terminal.post(
        f"/lockers/{locker.id}/door-events", json={"compartment": 99, "state": "closed", "seq": site.next_seq()}
    )
    assert "99" in error_of(reply, 404, "not_found")["message"]


def test_a_door_event_with_an_unknown_state_is_refused(site: Site) -> None:
    locker = site.new_locker("S:1")
    reply = locker.terminal.post(
        f"/lockers/{locker.id}/door-events", json={"compartment": 1, "state": "ajar", "seq": site.next_seq()}
    )
    assert error_of(reply, 422, "invalid_input")["fields"][0]["field"] == "state"


def test_a_full_locker_says_so(site: Site) -> None:
    locker = site.new_locker("S:1")
    site.store(locker)
    shipment = site.announce(locker.id, "S")
    reply = site.courier().post(f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]})
    assert "no free compartment" in error_of(reply, 409, "locker_full")["message"]


def test_a_parcel_meant_for_another_locker_is_refused_at_this_one(site: Site) -> None:
    here, there = site.new_locker("S:1"), site.new_locker("S:1")
    shipment = site.announce(there.id, "S")
    reply = site.courier().post(f"/lockers/{here.id}/deposits", json={"tracking_number": shipment["tracking_number"]})
    assert there.id in error_of(reply, 409, "conflict")["message"]


def test_cancelling_a_stored_parcel_is_an_illegal_transition(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, _ = site.store(locker)
    reply = site.carrier().post(f"/shipments/{shipment['id']}/cancel")
    error_of(reply, 409, "illegal_transition")


def test_an_unknown_route_is_not_found_in_the_same_shape(site: Site) -> None:
    reply = site.carrier().get("/parcels")
    assert "/api/v1/parcels" in error_of(reply, 404, "not_found")["message"]


def test_a_wrong_method_is_not_allowed_in_the_same_shape(site: Site) -> None:
    reply = site.carrier().delete("/shipments")
    error_of(reply, 405, "method_not_allowed")
    assert "POST" in reply.headers["allow"]


def test_an_idempotency_key_longer_than_255_characters_is_refused(site: Site) -> None:
    locker = site.new_locker("S:1")
    reply = site.carrier().post(
        "/shipments",
        json={"tracking_number": "ERR-9", "locker_id": locker.id, "size": "S", "recipient": {"email": "a@b.c"}},
        headers={"Idempotency-Key": "k" * 256},
    )
    assert "idempotency-key" in error_of(reply, 422, "invalid_input")["message"]
