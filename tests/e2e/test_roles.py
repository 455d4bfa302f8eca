"""Who may do what: carriers see their own shipments, terminals act for their own locker, couriers for their
own carrier, operators administer; without a valid credential nothing but signing in works."""

from __future__ import annotations

import pytest

from .conftest import Site


def test_a_carrier_does_not_see_another_carriers_shipment(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment = site.announce(locker.id, "S")
    key = site.operator().post("/carriers", json={"name": "Third Carrier"}).json()["api_key"]
    other = site.client(key)

    assert other.get(f"/shipments/{shipment['id']}").status_code == 404  # the same as for no such shipment
    assert other.get("/shipments", params={"tracking_number": shipment["tracking_number"]}).json() == []
    assert other.post(f"/shipments/{shipment['id']}/cancel").status_code == 404
    assert site.carrier().get(f"/shipments/{shipment['id']}").status_code == 200


def test_two_carriers_may_use_the_same_tracking_number(site: Site) -> None:
    locker = site.new_locker("S:2")
    shipment = site.announce(locker.id, "S")
    key = site.operator().post("/carriers", json={"name": "Fourth Carrier"}).json()["api_key"]
    theirs = site.announce(locker.id, "S", carrier=site.client(key), tracking_number=shipment["tracking_number"])
    assert theirs["id"] != shipment["id"]


def test_a_courier_of_another_carrier_cannot_deposit_the_parcel(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment = site.announce(locker.id, "S")
    _, other_courier = site.new_carrier()

    reply = other_courier.post(f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]})

    assert reply.status_code == 404, reply.text
    states = [c["state"] for c in site.operator().get(f"/lockers/{locker.id}").json()["compartments"]]
    assert states == ["free"]


def test_a_terminal_acts_only_for_its_own_locker(site: Site) -> None:
    mine, theirs = site.new_locker("S:1"), site.new_locker("S:1")
    shipment, number = site.store(theirs)
    code = site.message_to(shipment["recipient"]["email"])["code"]

    pickup = mine.terminal.post(f"/lockers/{theirs.id}/pickups", json={"code": code})
    door = mine.terminal.post(
        f"/lockers/{theirs.id}/door-events", json={"compartment": number, "state": "open", "seq": 1}
    )

    assert (pickup.status_code, pickup.json()["error"]["code"]) == (403, "forbidden")
    assert (door.status_code, door.json()["error"]["code"]) == (403, "forbidden")
    assert [locker["id"] for locker in mine.terminal.get("/lockers").json()] == [mine.id]
    assert mine.terminal.get(f"/lockers/{theirs.id}").status_code == 404
    assert mine.terminal.get(f"/lockers/{mine.id}").status_code == 200


@pytest.mark.parametrize(
    ("party", "method", "path", "body"),
    [
        ("carrier", "POST", "/lockers", {"name": "x", "layout": "S:1"}),
        ("carrier", "POST", "/carriers", {"name": "x"}),
        ("carrier", "GET", "/alarms", None),
        ("carrier", "GET", "/audit/verify", None),
        ("courier", "POST", "/couriers", {"courier_id": "c-x", "carrier_id": "demo-express", "pin": "1234"}),
        ("courier", "POST", "/shipments", {"tracking_number": "R-1", "locker_id": "DEMO-1", "size": "S",
                                           "recipient": {"email": "a@b.c"}}),
        ("terminal", "POST", "/lockers/DEMO-1/deposits", {"tracking_number": "R-1"}),
        ("operator", "POST", "/lockers/DEMO-1/pickups", {"code": "123456"}),
        ("carrier", "POST", "/lockers/DEMO-1/door-events", {"compartment": 1, "state": "open", "seq": 1}),
    ],
)  # fmt: skip
def test_a_party_may_not_do_what_its_role_does_not_allow(
    site: Site, party: str, method: str, path: str, body: dict[str, object] | None
) -> None:
    clients = {
        "carrier": site.carrier,
        "courier": site.courier,
        "operator": site.operator,
        "terminal": lambda: site.client(site.server.seeded.lockers[0].terminal_key),
    }
    reply = clients[party]().request(method, path, json=body)
    assert reply.status_code == 403, reply.text
    assert reply.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer plk_not-a-real-key"},
        {"X-API-Key": "plk_not-a-real-key"},
        {"Authorization": "Bearer pls.eyJyIjoib3BlcmF0b3IifQ.forged"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["none", "unknown-key", "unknown-x-api-key", "forged-session", "basic-auth"],
)
def test_without_a_valid_credential_the_answer_is_401(site: Site, headers: dict[str, str]) -> None:
    for method, path in [("GET", "/lockers"), ("POST", "/shipments"), ("GET", "/alarms")]:
        reply = site.client(**headers).request(method, path, json={})
        assert reply.status_code == 401, reply.text
        assert reply.json()["error"]["code"] == "not_authenticated"
        assert reply.headers["www-authenticate"].startswith("Bearer")


def test_a_carrier_key_works_in_the_x_api_key_header(site: Site) -> None:
    reply = site.client(**{"X-API-Key": site.server.seeded.carrier_key}).get("/lockers")
    assert reply.status_code == 200


def test_a_wrong_pin_does_not_sign_a_courier_in(site: Site) -> None:
    reply = site.anonymous.post(
        "/sessions/courier", json={"courier_id": site.server.seeded.courier_id, "pin": "00000000"}
    )
    assert (reply.status_code, reply.json()["error"]["code"]) == (401, "not_authenticated")
    unknown = site.anonymous.post("/sessions/courier", json={"courier_id": "nobody", "pin": "00000000"})
    assert unknown.json()["error"] == reply.json()["error"]  # says nothing about whether the courier exists
