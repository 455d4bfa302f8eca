"""Compartments at reachable height over HTTP: a shipment announced with `reachable_height`, or a deposit with
`"reachable": true`, opens a door within reach; the others leave those doors free.

In a locker "S:8,M:6,L:4" (columns from the top, see domain/cabinet.py) the doors within reach are S 7-8, M 9-11
and L 15-16.
"""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Locker, Site

LAYOUT = "S:8,M:6,L:4"
WITHIN_REACH = {7, 8, 9, 10, 11, 15, 16}


def deposit(site: Site, locker: Locker, tracking_number: str, **extra: Any) -> dict[str, Any]:
    reply = site.courier().post(f"/lockers/{locker.id}/deposits", json={"tracking_number": tracking_number, **extra})
    assert reply.status_code == 200, reply.text
    door: dict[str, Any] = reply.json()["compartment"]
    return door


def test_a_locker_shows_which_of_its_compartments_are_within_reach(site: Site) -> None:
    locker = site.new_locker(LAYOUT)
    assert {c["number"] for c in locker.compartments if c["reachable"]} == WITHIN_REACH
    shown = site.operator().get(f"/lockers/{locker.id}").json()["compartments"]
    assert {c["number"] for c in shown if c["reachable"]} == WITHIN_REACH


def test_a_shipment_announced_with_reachable_height_goes_into_a_compartment_within_reach(site: Site) -> None:
    locker = site.new_locker(LAYOUT)
    plain = site.announce(locker.id)
    wished = site.announce(locker.id, reachable_height=True)
    assert (plain["reachable_height"], wished["reachable_height"]) == (False, True)

    assert deposit(site, locker, plain["tracking_number"])["number"] == 1  # out of reach: left for who needs it
    door = deposit(site, locker, wished["tracking_number"])
    assert (door["number"], door["reachable"]) == (7, True)
    site.door(locker, 7, "open")
    assert site.door(locker, 7, "closed")["outcome"] == "parcel_stored"
    stored = site.carrier().get(f"/shipments/{wished['id']}").json()
    assert (stored["state"], stored["compartment_id"], stored["reachable_height"]) == ("stored", f"{locker.id}/7", True)


def test_a_deposit_asking_for_reach_opens_a_compartment_within_reach_also_after_does_not_fit(site: Site) -> None:
    locker = site.new_locker(LAYOUT)
    shipment = site.announce(locker.id)
    door = deposit(site, locker, shipment["tracking_number"], reachable=True)
    assert (door["number"], door["reachable"]) == (7, True)
    assert site.carrier().get(f"/shipments/{shipment['id']}").json()["reachable_height"] is True

    bigger = site.courier().post(
        f"/lockers/{locker.id}/deposits/problems",
        json={"tracking_number": shipment["tracking_number"], "problem": "does_not_fit"},
    )
    assert bigger.status_code == 200, bigger.text
    assert (bigger.json()["compartment"]["number"], bigger.json()["compartment"]["reachable"]) == (9, True)


def test_reachable_must_be_a_boolean(site: Site) -> None:
    locker = site.new_locker(LAYOUT)
    shipment = site.announce(locker.id)
    reply = site.courier().post(
        f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"], "reachable": "maybe"}
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "invalid_input"
    announced = site.carrier().post(
        "/shipments",
        json={
            "tracking_number": "E2E-REACH-BAD",
            "locker_id": locker.id,
            "size": "S",
            "recipient": {"email": "ola@e2e.example"},
            "reachable_height": [],
        },
    )
    assert announced.status_code == 422, announced.text


def test_the_openapi_document_says_what_reachable_means(site: Site) -> None:
    schemas = httpx.get(site.server.base_url + "/openapi.json").json()["components"]["schemas"]
    assert "within reach" in schemas["ShipmentCreate"]["properties"]["reachable_height"]["description"]
    assert "within reach" in schemas["ShipmentPublic"]["properties"]["reachable_height"]["description"]
    assert "within reach" in schemas["DepositCreate"]["properties"]["reachable"]["description"]
    assert "Within reach" in schemas["CompartmentPublic"]["properties"]["reachable"]["description"]
