"""Recipients are told: the code, the locker, the deadline in the locker's time zone, and the QR token."""

from __future__ import annotations

import time
import uuid

from parcellocker.adapters.notifications.mailbox import mailbox_file

from .conftest import Site


def test_the_message_is_in_the_recipients_language_with_the_deadline_in_the_lockers_time_zone(site: Site) -> None:
    created = site.operator().post(
        "/lockers", json={"name": "Dworzec", "address": "ul. Testowa 1", "layout": "S:1", "timezone": "Europe/Warsaw"}
    )
    locker_id, terminal = created.json()["id"], site.client(created.json()["terminal_key"])
    email = f"{uuid.uuid4().hex[:8]}@e2e.example"
    shipment = site.announce(locker_id, "S", recipient={"email": email, "name": "Ola", "language": "pl"})
    deposit = {"tracking_number": shipment["tracking_number"]}
    number = site.courier().post(f"/lockers/{locker_id}/deposits", json=deposit).json()["compartment"]["number"]
    terminal.post(f"/lockers/{locker_id}/door-events", json={"compartment": number, "state": "closed", "seq": 1})

    message = site.message_to(email)

    assert "Kod odbioru: " + message["code"] in message["text"]
    assert "Dworzec" in message["subject"]
    assert ("CET" in message["text"]) or ("CEST" in message["text"])  # Warsaw time, not UTC
    stored = site.carrier().get(f"/shipments/{shipment['id']}").json()
    assert message["pickup_deadline"].startswith(stored["pickup_deadline"][:16])


def test_a_message_that_cannot_be_delivered_is_tried_again_later(site: Site) -> None:
    locker = site.new_locker("S:1")
    email = f"{uuid.uuid4().hex[:8]}@e2e.example"
    blocked = mailbox_file(site.server.mailbox, email)
    blocked.mkdir(parents=True)  # a folder where the mailbox file should go: delivery fails
    shipment = site.announce(locker.id, "S", recipient={"email": email})
    deposit = {"tracking_number": shipment["tracking_number"]}
    number = site.courier().post(f"/lockers/{locker.id}/deposits", json=deposit).json()["compartment"]["number"]
    site.door(locker, number, "closed")

    deadline = time.monotonic() + 10
    while "could not be sent (attempt 1" not in site.server.log_text():
        assert time.monotonic() < deadline, "the failed delivery was not logged"
        time.sleep(0.05)
    blocked.rmdir()

    message = site.message_to(email, within=15)  # the first retry comes 5 s after the failure
    assert message["tracking_number"] == shipment["tracking_number"]
    assert len(site.messages_to(email)) == 1
