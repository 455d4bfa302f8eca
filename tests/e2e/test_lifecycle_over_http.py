"""The parcel lifecycle over HTTP, on a server whose scheduler looks every 0.2 s: pickup policies, the extension
(by the carrier, and by the recipient's signed link from the reminder), expiry, collection, return, redirect,
cancel, and their errors as JSON (HTML on the recipient's page). Short pickup windows are set per locker, so the
server keeps its real clock."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from patience import SOON

from .conftest import DATABASE_KINDS, Locker, RunningServer, Site, start_server
from .test_errors import error_of

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases, SqliteDatabases


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases,
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp(f"e2e-lifecycle-{request.param}")
    settings = {"PARCELLOCKER_SCHEDULER_INTERVAL_SECONDS": "0.2"}
    yield from start_server(request.param, folder, sqlite_databases, postgres_databases, extra_env=settings)


def locker_with_policy(site: Site, **policy: float) -> Locker:
    locker = site.new_locker("S:2,M:2,L:1")
    reply = site.operator().put(f"/lockers/{locker.id}/pickup-policy", json=policy)
    assert reply.status_code == 200, reply.text
    return locker


def wait_until(check: Callable[[], Any], within: float = SOON, what: str = "it") -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {within} s")


def message(site: Site, address: str, subject_start: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next((m for m in site.messages_to(address) if m["subject"].startswith(subject_start)), None)

    result: dict[str, Any] = wait_until(found, what=f"a message {subject_start!r} to {address}")
    return result


def shipment_of(site: Site, shipment_id: str) -> dict[str, Any]:
    reply = site.carrier().get(f"/shipments/{shipment_id}")
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def expired_parcel(site: Site) -> tuple[Locker, dict[str, Any], int]:
    locker = locker_with_policy(site, pickup_window_hours=0.001)  # 4 seconds
    shipment, number = site.store(locker)
    wait_until(lambda: shipment_of(site, shipment["id"])["state"] == "expired", what="the expiry")
    return locker, shipment, number


def test_the_carrier_extends_the_deadline_once(site: Site) -> None:
    locker = site.new_locker()
    shipment, _ = site.store(locker)
    carrier = site.carrier()
    before = datetime.fromisoformat(shipment_of(site, shipment["id"])["pickup_deadline"])
    reply = carrier.post(f"/shipments/{shipment['id']}/extend")
    assert reply.status_code == 200, reply.text
    extended = reply.json()
    assert datetime.fromisoformat(extended["pickup_deadline"]) - before == timedelta(hours=48)
    assert extended["extensions"] == 1
    again = error_of(carrier.post(f"/shipments/{shipment['id']}/extend"), 409, "already_extended")
    assert "only once" in again["message"]
    assert shipment_of(site, shipment["id"])["pickup_deadline"] == extended["pickup_deadline"]


def test_extension_errors(site: Site) -> None:
    locker = site.new_locker()
    shipment, _ = site.store(locker)
    error_of(site.carrier().post("/shipments/no-such-shipment/extend"), 404, "not_found")
    error_of(site.courier().post(f"/shipments/{shipment['id']}/extend"), 403, "forbidden")
    announced = site.announce(locker.id)
    error_of(site.carrier().post(f"/shipments/{announced['id']}/extend"), 409, "illegal_transition")


def test_the_recipient_extends_with_the_link_in_the_reminder(site: Site) -> None:
    # A 72 s window with the reminder 68 s before the deadline: the reminder comes 4 s after storing.
    locker = locker_with_policy(site, pickup_window_hours=0.02, reminder_hours_before=0.019)
    shipment, _ = site.store(locker)
    email = shipment["recipient"]["email"]
    reminder = message(site, email, "Reminder: your parcel")
    found = re.search(r"http://127\.0\.0\.1:(\d+)(/extend/plx\.[\w.-]+)", reminder["text"])
    assert found is not None, reminder["text"]
    assert site.server.base_url.endswith(f":{found.group(1)}")  # the link names this server
    page = site.server.base_url + found.group(2)
    recipient = site.client()
    before = datetime.fromisoformat(shipment_of(site, shipment["id"])["pickup_deadline"])

    offer = recipient.get(page)
    assert offer.status_code == 200 and offer.headers["content-type"].startswith("text/html")
    assert "Extend the pickup time" in offer.text and shipment["tracking_number"] in offer.text
    assert '<form method="post">' in offer.text
    assert shipment_of(site, shipment["id"])["extensions"] == 0  # looking changes nothing

    done = recipient.post(page)
    assert done.status_code == 200, done.text
    assert "The pickup time is extended" in done.text
    after = shipment_of(site, shipment["id"])
    assert datetime.fromisoformat(after["pickup_deadline"]) - before == timedelta(hours=48)

    twice = recipient.post(page)
    assert twice.status_code == 409 and 'data-error="already_extended"' in twice.text
    forged = recipient.get(page[:-4] + "AAAA", headers={"Accept-Language": "pl-PL"})
    assert forged.status_code == 404 and "Ten link jest nieprawidłowy" in forged.text


def test_an_expired_parcel_is_collected_by_a_courier_and_returned_by_the_carrier(site: Site) -> None:
    locker, shipment, number = expired_parcel(site)
    notice = message(site, shipment["recipient"]["email"], f"Your parcel {shipment['tracking_number']} was not")
    assert "the parcel goes back to the sender" in notice["text"] and notice["code"] == ""

    courier = site.courier()
    listed = courier.get(f"/lockers/{locker.id}/collections").json()
    assert [(p["tracking_number"], p["compartment"], p["state"]) for p in listed] == [
        (shipment["tracking_number"], number, "expired")
    ]
    opened = courier.post(f"/lockers/{locker.id}/collections", json={"tracking_number": shipment["tracking_number"]})
    assert opened.status_code == 200, opened.text
    assert opened.json()["compartment"]["number"] == number
    assert site.door(locker, number, "open")["outcome"] == "recorded"
    closed = site.door(locker, number, "closed")
    assert (closed["outcome"], closed["shipment_state"]) == ("parcel_collected", "collected")
    doors = site.operator().get(f"/lockers/{locker.id}").json()["compartments"]
    assert next(c for c in doors if c["number"] == number)["state"] == "free"
    assert courier.get(f"/lockers/{locker.id}/collections").json() == []

    returned = site.carrier().post(f"/shipments/{shipment['id']}/return")
    assert returned.status_code == 200, returned.text
    assert returned.json()["state"] == "returned" and returned.json()["ended_at"] is not None
    error_of(site.carrier().post(f"/shipments/{shipment['id']}/return"), 409, "illegal_transition")


def test_collection_and_return_errors(site: Site) -> None:
    locker = site.new_locker()
    waiting, _ = site.store(locker)
    courier = site.courier()
    path = f"/lockers/{locker.id}/collections"
    still_waiting = error_of(
        courier.post(path, json={"tracking_number": waiting["tracking_number"]}), 409, "illegal_transition"
    )
    assert "only parcels that expired or were redirected" in still_waiting["message"]
    error_of(courier.post(path, json={"tracking_number": "NO-SUCH-PARCEL"}), 404, "not_found")
    error_of(courier.post("/lockers/NO-SUCH-LOCKER/collections", json={"tracking_number": "X"}), 404, "not_found")
    assert "tracking_number: is required" in error_of(courier.post(path, json={}), 422, "invalid_input")["message"]
    error_of(site.carrier().post(path, json={"tracking_number": "X"}), 403, "forbidden")
    error_of(site.carrier().post(f"/shipments/{waiting['id']}/return"), 409, "illegal_transition")
    error_of(site.carrier().post("/shipments/no-such-shipment/return"), 404, "not_found")


def test_a_redirected_parcel_gets_a_new_code_at_its_new_locker(site: Site) -> None:
    first, second = site.new_locker(), site.new_locker()
    shipment, number = site.store(first)
    email = shipment["recipient"]["email"]
    old_code = message(site, email, "Your parcel")["code"]

    reply = site.carrier().post(f"/shipments/{shipment['id']}/redirect", json={"to_locker_id": second.id})
    assert reply.status_code == 200, reply.text
    assert (reply.json()["state"], reply.json()["redirect_to_locker_id"]) == ("redirected", second.id)
    dead = first.terminal.post(f"/lockers/{first.id}/pickups", json={"code": old_code})
    error_of(dead, 404, "pickup_code_not_found")

    courier = site.courier()
    listed = courier.get(f"/lockers/{first.id}/collections").json()
    assert [(p["tracking_number"], p["compartment"], p["state"]) for p in listed] == [
        (shipment["tracking_number"], number, "redirected")
    ]
    opened = courier.post(f"/lockers/{first.id}/collections", json={"tracking_number": shipment["tracking_number"]})
    assert opened.status_code == 200, opened.text
    closed = site.door(first, number, "closed")
    assert (closed["outcome"], closed["shipment_state"]) == ("parcel_collected", "announced")
    assert shipment_of(site, shipment["id"])["locker_id"] == second.id

    deposit = courier.post(f"/lockers/{second.id}/deposits", json={"tracking_number": shipment["tracking_number"]})
    assert deposit.status_code == 200, deposit.text
    new_number = deposit.json()["compartment"]["number"]
    assert site.door(second, new_number, "closed")["outcome"] == "parcel_stored"
    new_code = wait_until(lambda: len(site.messages_to(email)) == 2 and site.messages_to(email)[-1]["code"])
    assert site.messages_to(email)[-1]["locker_id"] == second.id
    picked = second.terminal.post(f"/lockers/{second.id}/pickups", json={"code": new_code})
    assert picked.status_code == 200, picked.text
    assert picked.json()["compartment"]["number"] == new_number


def test_redirect_errors(site: Site) -> None:
    locker = site.new_locker()
    shipment, _ = site.store(locker)
    carrier = site.carrier()
    path = f"/shipments/{shipment['id']}/redirect"
    error_of(carrier.post(path, json={"to_locker_id": "NO-SUCH-LOCKER"}), 404, "not_found")
    assert "to_locker_id: is required" in error_of(carrier.post(path, json={}), 422, "invalid_input")["message"]
    error_of(carrier.post(path, json={"to_locker_id": locker.id}), 422, "invalid_input")
    error_of(carrier.post("/shipments/no-such-shipment/redirect", json={"to_locker_id": locker.id}), 404, "not_found")
    announced = site.announce(locker.id)
    other = site.new_locker()
    error_of(
        carrier.post(f"/shipments/{announced['id']}/redirect", json={"to_locker_id": other.id}),
        409,
        "illegal_transition",
    )


def test_an_announced_shipment_is_cancelled_and_then_refused_at_the_deposit(site: Site) -> None:
    locker = site.new_locker()
    announced = site.announce(locker.id)
    cancelled = site.carrier().post(f"/shipments/{announced['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled" and cancelled.json()["ended_at"] is not None
    deposit = site.courier().post(
        f"/lockers/{locker.id}/deposits", json={"tracking_number": announced["tracking_number"]}
    )
    assert "already cancelled" in error_of(deposit, 409, "conflict")["message"]
    stored, _ = site.store(locker)
    error_of(site.carrier().post(f"/shipments/{stored['id']}/cancel"), 409, "illegal_transition")


def test_pickup_policies_over_http(site: Site) -> None:
    locker = site.new_locker()
    operator, carrier = site.operator(), site.carrier()
    path = f"/lockers/{locker.id}/pickup-policy"
    put = operator.put(path, json={"pickup_window_hours": 48, "reminder_hours_before": 12})
    assert put.status_code == 200, put.text
    assert put.json() | {"server_defaults": None} == {
        "subject": "locker",
        "subject_id": locker.id,
        "pickup_window_hours": 48.0,
        "extension_hours": None,
        "reminder_hours_before": 12.0,
        "server_defaults": None,
    }
    assert put.json()["server_defaults"]["pickup_window_hours"] == 72.0
    assert carrier.get(path).json()["pickup_window_hours"] == 48.0
    error_of(carrier.put(path, json={"pickup_window_hours": 1}), 403, "forbidden")
    error_of(operator.put(path, json={"pickup_window_hours": 10, "reminder_hours_before": 10}), 422, "invalid_input")
    error_of(operator.put(path, json={"pickup_window_hours": -1}), 422, "invalid_input")
    error_of(operator.put("/lockers/NO-SUCH-LOCKER/pickup-policy", json={}), 404, "not_found")

    shipment, _ = site.store(locker)
    stored = shipment_of(site, shipment["id"])
    window = datetime.fromisoformat(stored["pickup_deadline"]) - datetime.fromisoformat(stored["stored_at"])
    assert window == timedelta(hours=48)

    carrier_id = site.server.seeded.carrier_id
    own = carrier.put(f"/carriers/{carrier_id}/pickup-policy", json={"pickup_window_hours": 96})
    assert own.status_code == 200, own.text
    later, _ = site.store(locker)
    stored = shipment_of(site, later["id"])
    window = datetime.fromisoformat(stored["pickup_deadline"]) - datetime.fromisoformat(stored["stored_at"])
    assert window == timedelta(hours=96)  # the carrier's policy overrides the locker's
    carrier.put(f"/carriers/{carrier_id}/pickup-policy", json={})  # back to nothing, for the other tests
