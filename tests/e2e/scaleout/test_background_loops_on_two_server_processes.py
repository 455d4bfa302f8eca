"""The background loops of two `parcellocker serve` processes on one PostgreSQL database, at work at the same time:
the lifecycle scheduler (a pickup policy of seconds: a reminder, then the expiry), the notifications' outbox worker
and the webhook worker run in both processes. Each parcel expires once, each recipient gets one reminder and one
expiry message, and each change reaches the carrier's webhook receiver once (2xx), though the receiver fails the
first attempt of some changes and the retry may be taken by either process."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from scaleout_rigs import COURIER_PIN, OPERATOR_PASSWORD, Database, RoundRobin, ServeProcesses, StartFleet, until
from sqlalchemy import select

from parcellocker.adapters.db.tables import notifications, transitions
from parcellocker.adapters.notifications.mailbox import mailbox_file
from parcellocker.sample_site import SampleSite
from webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.postgres

PARCELS = 8
WINDOW_SECONDS = 14
"""The locker's pickup window: from storing to expiry."""
REMINDER_SECONDS = 7
"""The reminder, this long before the deadline."""
LOOPS = {
    "PARCELLOCKER_SCHEDULER_INTERVAL_SECONDS": "0.5",
    "PARCELLOCKER_WEBHOOK_FIRST_RETRY_SECONDS": "0.5",
    "PARCELLOCKER_LOG_LEVEL": "INFO",  # each process logs what it sent and what its scheduler did
}
Body = dict[str, Any]


@pytest.fixture
async def fleet(start_fleet: StartFleet) -> AsyncIterator[tuple[ServeProcesses, SampleSite, Database]]:
    servers, site = await start_fleet(lockers=1, layout=f"S:{PARCELS}", env=LOOPS)
    database = Database(servers.env["PARCELLOCKER_DATABASE_URL"])
    try:
        yield servers, site, database
    finally:
        await database.close()


async def _signed_in(servers: ServeProcesses, role: str, credentials: dict[str, str]) -> RoundRobin:
    anonymous = RoundRobin(servers.base_urls)
    try:
        reply = await anonymous.next().post(f"/sessions/{role}", json=credentials)
    finally:
        await anonymous.aclose()
    assert reply.status_code == 200, reply.text
    return RoundRobin(servers.base_urls, reply.json()["token"])


async def _states(carrier: RoundRobin, parcels: list[Body]) -> Counter[str]:
    states = Counter[str]()
    for parcel in parcels:
        reply = await carrier.next().get(f"/shipments/{parcel['id']}")
        assert reply.status_code == 200, reply.text
        states[reply.json()["state"]] += 1
    return states


def _mailbox(servers: ServeProcesses, parcel: Body) -> list[Body]:
    path = mailbox_file(servers.folder / "var" / "mailbox", parcel["email"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_two_processes_scheduler_outbox_and_webhook_workers_each_do_each_thing_once(
    fleet: tuple[ServeProcesses, SampleSite, Database],
) -> None:
    servers, site, database = fleet
    locker = site.lockers[0]
    operator = await _signed_in(servers, "operator", {"operator_id": site.operator_id, "password": OPERATOR_PASSWORD})
    courier = await _signed_in(servers, "courier", {"courier_id": site.courier_id, "pin": COURIER_PIN})
    carrier = RoundRobin(servers.base_urls, site.carrier_key)
    terminal = RoundRobin(servers.base_urls, locker.terminal_key)
    async with WebhookReceiver() as receiver:
        try:
            registered = await carrier.next().put(f"/carriers/{site.carrier_id}/webhook", json={"url": receiver.url()})
            assert registered.status_code == 200, registered.text
            secret: str = registered.json()["secret"]
            receiver.fail_first(1, lambda event: event["to_state"] == "stored")  # retried, by either process
            policy = {"pickup_window_hours": WINDOW_SECONDS / 3600, "reminder_hours_before": REMINDER_SECONDS / 3600}
            set_policy = await operator.next().put(f"/lockers/{locker.id}/pickup-policy", json=policy)
            assert set_policy.status_code == 200, set_policy.text
            await asyncio.sleep(3)  # the other process reads the carriers with a webhook every 2 s

            # Announced, deposited and their doors closed, each request to the next process.
            parcels: list[Body] = []
            seq = 0
            for _ in range(PARCELS):
                email = f"{uuid.uuid4().hex[:12]}@loops.example"
                body = {"tracking_number": f"BL{uuid.uuid4().hex[:10].upper()}", "locker_id": locker.id,
                        "size": "S", "recipient": {"email": email}}  # fmt: skip
                announced = await carrier.next().post("/shipments", json=body)
                assert announced.status_code == 201, announced.text
                parcels.append({**announced.json(), "email": email})
                deposited = await courier.next().post(
                    f"/lockers/{locker.id}/deposits", json={"tracking_number": body["tracking_number"]}
                )
                assert deposited.status_code == 200, deposited.text
                number = deposited.json()["compartment"]["number"]
                for state in ("open", "closed"):
                    seq += 1
                    door = {"compartment": number, "state": state, "seq": seq}
                    applied = await terminal.next().post(f"/lockers/{locker.id}/door-events", json=door)
                    assert applied.status_code == 200, applied.text

            # Both schedulers remind and then expire; both outbox workers send; both webhook workers deliver.
            await until(
                lambda: _states(carrier, parcels),
                lambda states: states["expired"] == PARCELS,
                "not every parcel expired",
                within=60,
            )
            ids = [parcel["id"] for parcel in parcels]
            changes = await database.rows(
                select(transitions.c.event_id, transitions.c.subject_id, transitions.c.to_state).where(
                    transitions.c.subject == "shipment", transitions.c.subject_id.in_(ids)
                )
            )
            event_ids = {row.event_id for row in changes}

            def all_delivered(receiver: WebhookReceiver) -> bool:
                return {request.event_id for request in receiver.delivered()} >= event_ids

            await receiver.wait_for(all_delivered, within=45)
            await until(
                lambda: asyncio.to_thread(lambda: [len(_mailbox(servers, parcel)) for parcel in parcels]),
                lambda counts: min(counts) >= 3,
                "not every recipient got three messages",
            )
            await asyncio.sleep(5)  # both processes' loops went round several times more: nothing more may come
        finally:
            for client in (operator, courier, carrier, terminal):
                await client.aclose()

    # Each parcel expired once.
    expired = Counter(row.subject_id for row in changes if row.to_state == "expired")
    assert expired == dict.fromkeys(ids, 1)

    # One message of each kind per parcel: kept once, sent once, by one process or the other.
    kept = await database.rows(
        select(notifications.c.id, notifications.c.shipment_id, notifications.c.template, notifications.c.sent_at)
        .where(notifications.c.shipment_id.in_(ids))
    )  # fmt: skip
    assert Counter((row.shipment_id, row.template) for row in kept) == {
        (shipment_id, template): 1 for shipment_id in ids for template in ("parcel_stored", "reminder", "expired")
    }
    assert all(row.sent_at is not None for row in kept)
    for parcel in parcels:
        received = _mailbox(servers, parcel)
        assert len(received) == 3 and len({message["id"] for message in received}) == 3, received
    logs = servers.logs(tail=10**9)
    sent_lines = Counter(re.findall(r"notification (\S+) sent by", logs))
    assert sent_lines == {row.id: 1 for row in kept}

    # Each change of each parcel delivered to the webhook once (2xx), signed; the failed first attempts retried.
    delivered = Counter(request.event_id for request in receiver.delivered())
    assert {event_id: delivered[event_id] for event_id in event_ids} == dict.fromkeys(event_ids, 1)
    for request in receiver.delivered():
        request.verify_with(secret)
    stored_events = {row.event_id for row in changes if row.to_state == "stored"}
    refused = Counter(r.event_id for r in receiver.received if r.answered == 500)
    assert {event_id: refused[event_id] for event_id in stored_events} == dict.fromkeys(stored_events, 1)

    # Each scheduler's rounds, counted from both logs: the expiries add up to one per parcel.
    rounds = re.findall(r"scheduler: (\d+) reminded, (\d+) expired", logs)
    assert sum(int(reminded) for reminded, _ in rounds) == PARCELS
    assert sum(int(expired) for _, expired in rounds) == PARCELS
    assert "Traceback" not in logs
