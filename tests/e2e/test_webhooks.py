"""Carriers' webhooks and event feed, end to end: the server as its own process (SQLite and PostgreSQL), a carrier's
receiver on 127.0.0.1 (an aiohttp server on a thread of the test), everything over HTTP."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from webhook_receiver import Received, ThreadedReceiver, WebhookReceiver, wait_until

from .conftest import DATABASE_KINDS, RunningServer, Site, start_server

# Short pauses between attempts, so that a receiver failing twice is tried the third time within a second; the
# scheduler looks every 0.2 s, so a parcel expires moments after a short pickup window (set per locker) ends.
WEBHOOK_SETTINGS = {
    "PARCELLOCKER_WEBHOOK_FIRST_RETRY_SECONDS": "0.2",
    "PARCELLOCKER_WEBHOOK_MAX_RETRY_SECONDS": "1",
    "PARCELLOCKER_SCHEDULER_INTERVAL_SECONDS": "0.2",
}


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: Any,
    postgres_databases: Any,
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp(f"e2e-webhooks-{request.param}")
    yield from start_server(request.param, folder, sqlite_databases, postgres_databases, extra_env=WEBHOOK_SETTINGS)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with ThreadedReceiver() as receiver:
        yield receiver


@dataclass(frozen=True, slots=True)
class Carrier:
    id: str
    api: httpx.Client
    courier: httpx.Client


def a_carrier(site: Site) -> Carrier:
    """A carrier of this test's own (so webhooks of other tests never reach it), with a courier."""
    operator = site.operator()
    added = operator.post("/carriers", json={"name": "Webhook Carrier"})
    assert added.status_code == 201, added.text
    carrier_id, key = added.json()["id"], added.json()["api_key"]
    courier_id = f"courier-{uuid.uuid4().hex[:8]}"
    reply = operator.post(
        "/couriers", json={"courier_id": courier_id, "carrier_id": carrier_id, "name": "Bo", "pin": "5150"}
    )
    assert reply.status_code == 201, reply.text
    return Carrier(carrier_id, site.client(key), site.courier(courier_id, "5150"))


def register(carrier: Carrier, url: str) -> str:
    reply = carrier.api.put(f"/carriers/{carrier.id}/webhook", json={"url": url})
    assert reply.status_code == 200, reply.text
    secret: str = reply.json()["secret"]
    return secret


def store(site: Site, carrier: Carrier, locker_id: str, terminal: httpx.Client) -> tuple[dict[str, Any], int]:
    """Announce a parcel and put it in the locker: (the shipment, its compartment)."""
    shipment = site.announce(locker_id, "S", carrier=carrier.api)
    opened = carrier.courier.post(
        f"/lockers/{locker_id}/deposits", json={"tracking_number": shipment["tracking_number"]}
    )
    assert opened.status_code == 200, opened.text
    number: int = opened.json()["compartment"]["number"]
    for state in ("open", "closed"):
        reply = terminal.post(
            f"/lockers/{locker_id}/door-events", json={"compartment": number, "state": state, "seq": site.next_seq()}
        )
        assert reply.status_code == 200, reply.text
    return shipment, number


def states(received: list[Received], shipment_id: str) -> list[str]:
    return [r.event["to_state"] for r in received if r.event["shipment_id"] == shipment_id]


def test_every_change_is_posted_signed_with_the_carriers_secret_and_is_the_feeds_event(
    site: Site, receiver: WebhookReceiver
) -> None:
    carrier = a_carrier(site)
    secret = register(carrier, receiver.url("/carrier"))
    locker = site.new_locker("S:1")
    shipment, number = store(site, carrier, locker.id, locker.terminal)
    code = site.message_to(shipment["recipient"]["email"])["code"]
    assert locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": code}).status_code == 200
    site.door(locker, number, "open")
    site.door(locker, number, "closed")

    wait_until(lambda: len(receiver.delivered()) == 3)
    delivered = receiver.delivered()
    assert states(delivered, shipment["id"]) == ["announced", "stored", "picked_up"]
    for request in delivered:
        request.verify_with(secret)
        assert request.event_id == request.event["event_id"] and request.path == "/carrier"
    assert [r.event["from_state"] for r in delivered] == [None, "announced", "stored"]
    assert delivered[1].event["actor"] == "terminal" and delivered[0].event["actor"] == f"carrier:{carrier.id}"

    events = carrier.api.get(f"/shipments/{shipment['id']}/events").json()
    assert [{k: v for k, v in e.items() if k != "cursor"} for e in events] == [r.event for r in delivered]
    wait_until(lambda: len(carrier.api.get("/events").json()["events"]) == 3, what="the feed's events")
    feed = carrier.api.get("/events").json()
    assert [e["event_id"] for e in feed["events"]] == [r.event_id for r in delivered]


def test_the_schedulers_expiry_a_collection_and_the_return_reach_the_carriers_webhook(
    site: Site, receiver: WebhookReceiver
) -> None:
    carrier = a_carrier(site)
    secret = register(carrier, receiver.url())
    locker = site.new_locker("S:1")
    policy = site.operator().put(f"/lockers/{locker.id}/pickup-policy", json={"pickup_window_hours": 0.001})
    assert policy.status_code == 200, policy.text  # 3.6 s to pick it up
    shipment, number = store(site, carrier, locker.id, locker.terminal)

    wait_until(lambda: states(receiver.delivered(), shipment["id"])[-1:] == ["expired"], what="the expiry's webhook")
    opened = carrier.courier.post(
        f"/lockers/{locker.id}/collections", json={"tracking_number": shipment["tracking_number"]}
    )
    assert opened.status_code == 200 and opened.json()["compartment"]["number"] == number, opened.text
    site.door(locker, number, "open")
    assert site.door(locker, number, "closed")["outcome"] == "parcel_collected"
    returned = carrier.api.post(f"/shipments/{shipment['id']}/return")
    assert returned.status_code == 200, returned.text

    wait_until(lambda: len(states(receiver.delivered(), shipment["id"])) == 5, what="the return's webhook")
    delivered = [r for r in receiver.delivered() if r.event["shipment_id"] == shipment["id"]]
    assert [(r.event["to_state"], r.event["actor"]) for r in delivered] == [
        ("announced", f"carrier:{carrier.id}"),
        ("stored", "terminal"),
        ("expired", "system"),
        ("collected", "terminal"),
        ("returned", f"carrier:{carrier.id}"),
    ]
    assert delivered[2].event["reason"] == "pickup deadline passed" and delivered[2].event["from_state"] == "stored"
    for request in delivered:
        request.verify_with(secret)
        assert shipment["recipient"]["email"] not in request.body.decode()  # no personal data in a webhook


def test_a_receiver_that_fails_twice_gets_the_webhook_on_the_third_try_exactly_once(
    site: Site, receiver: WebhookReceiver
) -> None:
    carrier = a_carrier(site)
    register(carrier, receiver.url())
    receiver.fail_first(2, status=503)
    locker = site.new_locker("S:1")
    shipment = site.announce(locker.id, "S", carrier=carrier.api)

    wait_until(lambda: len(receiver.delivered()) == 1)
    time.sleep(1.5)  # longer than the pause before a fourth try would be

    assert [r.answered for r in receiver.received] == [503, 503, 200]
    assert len({r.event_id for r in receiver.received}) == 1
    assert receiver.delivered()[0].event["shipment_id"] == shipment["id"]
    status = carrier.api.get(f"/carriers/{carrier.id}/webhook").json()
    assert (status["waiting_deliveries"], status["last_error"]) == (0, None)


def test_a_shipments_changes_arrive_in_order_though_the_first_has_to_be_tried_again(
    site: Site, receiver: WebhookReceiver
) -> None:
    carrier = a_carrier(site)
    register(carrier, receiver.url())
    receiver.fail_first(2, lambda event: event["to_state"] == "announced")
    locker = site.new_locker("S:2")
    first, _ = store(site, carrier, locker.id, locker.terminal)  # stored before its announcement got through
    second = site.announce(locker.id, "S", carrier=carrier.api)
    cancelled = carrier.api.post(f"/shipments/{second['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text

    wait_until(lambda: len(receiver.delivered()) == 4)
    assert states(receiver.delivered(), first["id"]) == ["announced", "stored"]
    assert states(receiver.delivered(), second["id"]) == ["announced", "cancelled"]
    assert states(receiver.received, first["id"]) == ["announced"] * 3 + ["stored"]


def test_a_carrier_never_gets_another_carriers_events_by_webhook_or_by_polling(
    site: Site, receiver: WebhookReceiver
) -> None:
    one, other = a_carrier(site), a_carrier(site)
    register(one, receiver.url("/one"))
    register(other, receiver.url("/other"))
    locker = site.new_locker("S:2")
    mine = site.announce(locker.id, "S", carrier=one.api)
    theirs = site.announce(locker.id, "S", carrier=other.api)
    assert other.api.post(f"/shipments/{theirs['id']}/cancel").status_code == 200

    wait_until(lambda: len(receiver.delivered()) == 3)
    assert {r.event["shipment_id"] for r in receiver.delivered("/one")} == {mine["id"]}
    assert {r.event["shipment_id"] for r in receiver.delivered("/other")} == {theirs["id"]}
    assert {r.event["carrier_id"] for r in receiver.delivered("/other")} == {other.id}

    wait_until(lambda: len(one.api.get("/events").json()["events"]) == 1, what="the feed's event")
    assert [e["shipment_id"] for e in one.api.get("/events").json()["events"]] == [mine["id"]]
    assert one.api.get(f"/shipments/{theirs['id']}/events").status_code == 404
    refused = one.api.put(f"/carriers/{other.id}/webhook", json={"url": receiver.url("/stolen")})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert one.api.get(f"/carriers/{other.id}/webhook").status_code == 403


def test_the_secret_is_shown_once_and_the_webhook_can_be_changed_and_removed(
    site: Site, receiver: WebhookReceiver
) -> None:
    carrier = a_carrier(site)
    path = f"/carriers/{carrier.id}/webhook"
    assert carrier.api.get(path).status_code == 404
    created = carrier.api.put(path, json={"url": receiver.url("/a")}, headers={"Idempotency-Key": "hook-1"})
    replayed = carrier.api.put(path, json={"url": receiver.url("/a")}, headers={"Idempotency-Key": "hook-1"})
    moved = carrier.api.put(path, json={"url": receiver.url("/b")})
    renewed = carrier.api.put(path, json={"url": receiver.url("/b"), "new_secret": True})

    assert created.status_code == replayed.status_code == moved.status_code == 200
    assert created.json()["secret"].startswith("whsec_") and replayed.json()["secret"] is None
    assert moved.json()["secret"] is None and renewed.json()["secret"] not in (None, created.json()["secret"])
    shown = carrier.api.get(path).json()
    assert shown["url"] == receiver.url("/b") and "secret" not in shown

    locker = site.new_locker("S:1")
    site.announce(locker.id, "S", carrier=carrier.api)
    wait_until(lambda: len(receiver.delivered("/b")) == 1)
    receiver.delivered("/b")[0].verify_with(renewed.json()["secret"])
    # the server records the delivery after the receiver's answer: only then is nothing left to give up
    wait_until(lambda: carrier.api.get(path).json()["waiting_deliveries"] == 0, what="the delivery's record")

    removed = carrier.api.delete(path)
    assert removed.status_code == 200 and removed.json() == {"carrier_id": carrier.id, "deliveries_given_up": 0}
    assert carrier.api.get(path).status_code == 404
    assert carrier.api.delete(path).status_code == 404


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"url": "ftp://hooks.example.com/in"}, "starts with https://"),
        ({"url": "https://user:pw@hooks.example.com/in"}, "no user name or password"),
        ({"url": ""}, "url"),
        ({}, "url"),
    ],
)
def test_a_webhook_url_that_cannot_be_is_refused_saying_why(site: Site, body: dict[str, Any], says: str) -> None:
    carrier = a_carrier(site)
    reply = carrier.api.put(f"/carriers/{carrier.id}/webhook", json=body)
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "invalid_input"
    assert says in reply.json()["error"]["message"]


def test_the_feed_refuses_a_cursor_it_did_not_give_and_is_only_for_carriers(site: Site) -> None:
    carrier = a_carrier(site)
    reply = carrier.api.get("/events", params={"after": "tomorrow"})
    assert reply.status_code == 422 and "not a cursor this feed gave" in reply.json()["error"]["message"]
    assert carrier.api.get("/events", params={"limit": 0}).status_code == 422
    assert site.operator().get("/events").status_code == 403
    assert site.anonymous.get("/events").status_code == 401
