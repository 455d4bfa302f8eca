"""A repeated Idempotency-Key returns the first answer and changes nothing; reused for another request, 409."""

from __future__ import annotations

import uuid

from .conftest import Site


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_a_repeated_announcement_returns_the_first_reply_and_announces_once(site: Site) -> None:
    locker = site.new_locker("S:1")
    carrier, headers = site.carrier(), key()
    body = {"tracking_number": f"IDEM-{uuid.uuid4().hex[:6]}", "locker_id": locker.id, "size": "S",
            "recipient": {"email": "idem@e2e.example"}}  # fmt: skip

    first = carrier.post("/shipments", json=body, headers=headers)
    again = carrier.post("/shipments", json=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert len(carrier.get("/shipments", params={"tracking_number": body["tracking_number"]}).json()) == 1


def test_a_repeated_deposit_opens_the_same_compartment_and_reserves_one(site: Site) -> None:
    locker = site.new_locker("S:3")
    shipment = site.announce(locker.id, "S")
    courier, headers = site.courier(), key()
    body = {"tracking_number": shipment["tracking_number"]}

    first = courier.post(f"/lockers/{locker.id}/deposits", json=body, headers=headers)
    again = courier.post(f"/lockers/{locker.id}/deposits", json=body, headers=headers)

    assert again.json() == first.json()
    states = [c["state"] for c in site.operator().get(f"/lockers/{locker.id}").json()["compartments"]]
    assert states.count("reserved") == 1


def test_a_repeated_pickup_opens_the_same_door_once(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, number = site.store(locker)
    code = site.message_to(shipment["recipient"]["email"])["code"]
    headers = key()

    first = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": code}, headers=headers)
    assert site.door(locker, number, "closed")["shipment_state"] == "picked_up"
    again = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": code}, headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()  # the first answer, though the parcel is gone by now


def test_the_same_key_with_another_body_is_a_conflict(site: Site) -> None:
    locker = site.new_locker("S:2")
    carrier, headers = site.carrier(), key()
    body = {"tracking_number": f"IDEM-{uuid.uuid4().hex[:6]}", "locker_id": locker.id, "size": "S",
            "recipient": {"email": "idem@e2e.example"}}  # fmt: skip
    assert carrier.post("/shipments", json=body, headers=headers).status_code == 201

    other = carrier.post("/shipments", json={**body, "tracking_number": "IDEM-OTHER"}, headers=headers)

    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert carrier.get("/shipments", params={"tracking_number": "IDEM-OTHER"}).json() == []


def test_keys_of_different_callers_do_not_meet(site: Site) -> None:
    locker = site.new_locker("S:2")
    headers = key()
    mine = site.announce(locker.id, "S")
    other_key = site.operator().post("/carriers", json={"name": "Idem Carrier"}).json()["api_key"]
    cancel = site.carrier().post(f"/shipments/{mine['id']}/cancel", headers=headers)
    assert cancel.status_code == 200

    theirs = site.client(other_key).post(f"/shipments/{mine['id']}/cancel", headers=headers)

    assert theirs.status_code == 404  # not the first caller's stored reply


def test_a_replayed_carrier_creation_does_not_show_the_key_again(site: Site) -> None:
    operator, headers = site.operator(), key()
    first = operator.post("/carriers", json={"name": "Once Carrier"}, headers=headers)
    again = operator.post("/carriers", json={"name": "Once Carrier"}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["api_key"] and again.json()["api_key"] is None
    assert again.json()["id"] == first.json()["id"]
    assert site.client(first.json()["api_key"]).get("/lockers").status_code == 200
