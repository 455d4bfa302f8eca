"""Two carriers at one locker over the HTTP API: the operator sets each a share, deposits keep to the shares, and no
courier sees or opens the other carrier's compartments or parcels, on any route a courier can call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .conftest import Locker, Site


@dataclass(frozen=True, slots=True)
class Carrier:
    id: str
    api: httpx.Client
    courier: httpx.Client


def second_carrier(site: Site) -> Carrier:
    """Another carrier with its API key and a signed-in courier of its own."""
    operator = site.operator()
    added = operator.post("/carriers", json={"name": "Slow Parcels"})
    assert added.status_code == 201, added.text
    carrier_id = added.json()["id"]
    courier_id = f"courier-{uuid.uuid4().hex[:8]}"
    body = {"courier_id": courier_id, "carrier_id": carrier_id, "name": "Ola", "pin": "6061"}
    assert operator.post("/couriers", json=body).status_code == 201
    return Carrier(carrier_id, site.client(added.json()["api_key"]), site.courier(courier_id, "6061"))


@pytest.fixture
def two(site: Site) -> tuple[Locker, Carrier, Carrier]:
    """A locker S 1-4, M 5-8, L 9-10; the seeded carrier ("first") with M 5-6, the second with S 1-2 and L 9."""
    locker = site.new_locker("S:4,M:4,L:2")
    first = Carrier(site.server.seeded.carrier_id, site.carrier(), site.courier())
    second = second_carrier(site)
    operator = site.operator()
    shares = f"/lockers/{locker.id}/carrier-shares"
    by_sizes = operator.put(f"{shares}/{first.id}", json={"sizes": {"M": 2}})
    by_numbers = operator.put(f"{shares}/{second.id}", json={"compartments": [9, 1, 2]})
    assert by_sizes.status_code == 200, by_sizes.text
    assert by_sizes.json() == {"carrier_id": first.id, "compartments": [5, 6], "sizes": {"M": 2}}
    assert by_numbers.json() == {"carrier_id": second.id, "compartments": [1, 2, 9], "sizes": {"S": 2, "L": 1}}
    return locker, first, second


def deposit(courier: httpx.Client, locker: Locker, tracking_number: str) -> httpx.Response:
    return courier.post(f"/lockers/{locker.id}/deposits", json={"tracking_number": tracking_number})


def compartments_seen(client: httpx.Client, locker: Locker) -> dict[int, Any]:
    reply = client.get(f"/lockers/{locker.id}")
    assert reply.status_code == 200, reply.text
    return {c["number"]: c["reserved_for_carrier_id"] for c in reply.json()["compartments"]}


def test_the_operator_reads_and_changes_the_shares_and_bad_shares_are_refused(
    site: Site, two: tuple[Locker, Carrier, Carrier]
) -> None:
    locker, first, second = two
    operator, shares = site.operator(), f"/lockers/{locker.id}/carrier-shares"
    assert [s["carrier_id"] for s in operator.get(shares).json()] == sorted([first.id, second.id])
    assert second.courier.get(shares).json() == [
        {"carrier_id": second.id, "compartments": [1, 2, 9], "sizes": {"S": 2, "L": 1}}
    ]

    taken = operator.put(f"{shares}/{first.id}", json={"compartments": [5, 9]})
    too_many = operator.put(f"{shares}/{first.id}", json={"sizes": {"L": 2}})
    both = operator.put(f"{shares}/{first.id}", json={"compartments": [5], "sizes": {"M": 1}})
    unknown_size = operator.put(f"{shares}/{first.id}", json={"sizes": {"Q": 1}})
    nobody = operator.put(f"{shares}/nobody", json={"compartments": [3]})
    not_operator = first.api.put(f"{shares}/{first.id}", json={"compartments": [3]})
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "conflict")
    assert "compartment 9 is in the share of carrier" in taken.json()["error"]["message"]
    assert (too_many.status_code, both.status_code, unknown_size.status_code) == (409, 422, 422)
    assert (nobody.status_code, not_operator.status_code) == (404, 403)

    cleared = operator.delete(f"{shares}/{second.id}")
    assert cleared.json() == {"carrier_id": second.id, "compartments": [], "sizes": {}}
    assert [s["carrier_id"] for s in operator.get(shares).json()] == [first.id]


def test_each_carriers_parcels_go_into_its_share_then_the_pool_never_into_the_others(
    site: Site, two: tuple[Locker, Carrier, Carrier]
) -> None:
    locker, first, second = two
    firsts = [site.announce(locker.id, "S", carrier=first.api) for _ in range(3)]
    seconds = [site.announce(locker.id, "S", carrier=second.api) for _ in range(3)]

    first_doors = [deposit(first.courier, locker, s["tracking_number"]).json()["compartment"]["number"] for s in firsts]
    second_doors = [
        deposit(second.courier, locker, s["tracking_number"]).json()["compartment"]["number"] for s in seconds
    ]

    assert first_doors == [5, 6, 3]  # its two M, then the pool's smallest (S 3)
    assert second_doors == [1, 2, 9]  # its whole share first, its L too, before the pool
    board = site.operator().get(f"/lockers/{locker.id}").json()["compartments"]
    assert {c["number"]: c["reserved_for_carrier_id"] for c in board if c["reserved_for_carrier_id"]} == {
        1: second.id,
        2: second.id,
        5: first.id,
        6: first.id,
        9: second.id,
    }


def test_no_courier_sees_or_opens_the_other_carriers_compartments_or_parcels(
    site: Site, two: tuple[Locker, Carrier, Carrier]
) -> None:
    locker, first, second = two
    theirs = site.announce(locker.id, "S", carrier=first.api)
    under_way = site.announce(locker.id, "S", carrier=first.api)
    opened = deposit(first.courier, locker, under_way["tracking_number"])
    assert opened.status_code == 200

    scanned = deposit(second.courier, locker, theirs["tracking_number"])
    unknown = deposit(second.courier, locker, "NO-SUCH-PARCEL")
    assert (scanned.status_code, unknown.status_code) == (404, 404)
    assert scanned.json()["error"]["code"] == unknown.json()["error"]["code"]
    assert scanned.json()["error"]["message"].replace(theirs["tracking_number"], "X") == unknown.json()["error"][
        "message"
    ].replace("NO-SUCH-PARCEL", "X")
    for number in (theirs, under_way):
        problem = second.courier.post(
            f"/lockers/{locker.id}/deposits/problems",
            json={"tracking_number": number["tracking_number"], "problem": "door_did_not_open"},
        )
        assert problem.status_code == 404, problem.text
    assert second.courier.get(f"/shipments/{theirs['id']}").status_code == 404
    assert second.courier.get(f"/shipments/{theirs['id']}/history").status_code == 404
    assert first.courier.get(f"/shipments/{theirs['id']}/history").status_code == 200  # the route is there
    assert second.courier.get(f"/lockers/{locker.id}/collections").json() == []

    seen_by_second = compartments_seen(second.courier, locker)
    assert sorted(seen_by_second) == [1, 2, 3, 4, 7, 8, 9, 10]  # not the first carrier's M 5-6
    assert compartments_seen(first.api, locker).keys() == {3, 4, 5, 6, 7, 8, 10}
    listed = next(lk for page in site.every_locker(second.courier) for lk in page if lk["id"] == locker.id)
    assert listed["free_compartments"] == {"S": 4, "M": 2, "L": 2}

    # What a locker's terminal may do is not a courier's to do: open a door, read the codes, report doors.
    link = f"/lockers/{locker.id}"
    for method, path, body in [
        ("POST", f"{link}/commands", {"kind": "open_compartment", "compartment": 5}),
        ("GET", f"{link}/commands", None),
        ("GET", f"{link}/codes", None),
        ("GET", f"{link}/link", None),
        ("POST", f"{link}/door-events", {"compartment": 5, "state": "open", "seq": 1}),
        ("POST", f"{link}/events", {"seq": 2, "kind": "alarm", "at": "2026-01-01T00:00:00Z", "alarm": "lockout"}),
        ("POST", f"{link}/pickups/reopen", {"shipment_id": under_way["id"], "compartment": 5}),
        ("POST", f"{link}/compartments/5/out-of-order", {"reason": "mine now"}),
    ]:
        reply = second.courier.request(method, path, json=body)
        assert reply.status_code == 403, (path, reply.text)
    assert site.operator().get(f"/lockers/{locker.id}").json()["compartments"][4]["state"] == "reserved"
