"""The two flows of a parcel locker, end to end over HTTP: a courier deposits, a recipient picks up."""

from __future__ import annotations

from .conftest import Site


def compartment(site: Site, locker_id: str, number: int) -> dict[str, object]:
    reply = site.operator().get(f"/lockers/{locker_id}")
    assert reply.status_code == 200, reply.text
    return next(c for c in reply.json()["compartments"] if c["number"] == number)


def test_a_new_parcel_goes_from_announcement_to_pickup(site: Site) -> None:
    locker = site.new_locker("S:2,M:2,L:1")
    carrier = site.carrier()
    email = "new.user@e2e.example"
    announced = carrier.post(
        "/shipments",
        json={
            "tracking_number": "FLOW-0001",
            "locker_id": locker.id,
            "dimensions": {"height_mm": 150, "width_mm": 300, "depth_mm": 400},
            "recipient": {"email": email, "phone": "+48 600 100 200", "name": "Ola", "language": "en"},
        },
    )
    assert announced.status_code == 201, announced.text
    shipment = announced.json()
    assert shipment["state"] == "announced"

    courier = site.courier()
    opened = courier.post(f"/lockers/{locker.id}/deposits", json={"tracking_number": "FLOW-0001"})
    assert opened.status_code == 200, opened.text
    door = opened.json()["compartment"]
    assert door["size"] == "M"  # 150 mm high does not fit S (80 mm)
    assert {"number", "board", "channel"} <= door.keys()
    assert compartment(site, locker.id, door["number"])["state"] == "reserved"

    assert site.door(locker, door["number"], "open")["outcome"] == "recorded"
    closed = site.door(locker, door["number"], "closed")
    assert (closed["outcome"], closed["shipment_state"]) == ("parcel_stored", "stored")
    assert compartment(site, locker.id, door["number"])["state"] == "occupied"

    message = site.message_to(email)
    assert message["code"] in message["text"]
    assert locker.id in message["text"] and message["qr_token"] in message["text"]
    assert message["tracking_number"] == "FLOW-0001"
    assert site.message_to("+48600100200")["code"] == message["code"]  # the SMS, in its own mailbox file

    pickup = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": message["code"]})
    assert pickup.status_code == 200, pickup.text
    assert pickup.json()["compartment"]["number"] == door["number"]

    site.door(locker, door["number"], "open")
    closed = site.door(locker, door["number"], "closed")
    assert (closed["outcome"], closed["shipment_state"]) == ("parcel_picked_up", "picked_up")

    final = carrier.get(f"/shipments/{shipment['id']}").json()
    assert final["state"] == "picked_up" and final["picked_up_at"] is not None
    after = compartment(site, locker.id, door["number"])
    assert (after["state"], after["door"]) == ("free", "closed")


def test_a_recipient_picks_up_with_the_qr_token(site: Site) -> None:
    locker = site.new_locker()
    shipment, number = site.store(locker)
    message = site.message_to(shipment["recipient"]["email"])

    pickup = locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"qr_token": message["qr_token"]})

    assert pickup.status_code == 200, pickup.text
    assert pickup.json()["compartment"]["number"] == number
    assert pickup.json()["shipment"]["id"] == shipment["id"]
    assert site.door(locker, number, "closed")["shipment_state"] == "picked_up"


def test_a_parcel_that_does_not_fit_moves_to_the_next_size_up(site: Site) -> None:
    locker = site.new_locker("S:1,M:1")
    shipment = site.announce(locker.id, "S")
    courier = site.courier()
    first = courier.post(f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]})
    assert first.json()["compartment"]["size"] == "S"

    moved = courier.post(
        f"/lockers/{locker.id}/deposits/problems",
        json={"tracking_number": shipment["tracking_number"], "problem": "does_not_fit"},
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["compartment"]["size"] == "M"
    assert compartment(site, locker.id, first.json()["compartment"]["number"])["state"] == "free"
    closed = site.door(locker, moved.json()["compartment"]["number"], "closed")
    assert closed["shipment_state"] == "stored"


def test_a_door_that_did_not_open_is_taken_out_of_order_and_another_opens(site: Site) -> None:
    locker = site.new_locker("S:2")
    shipment = site.announce(locker.id, "S")
    courier = site.courier()
    first = courier.post(f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]})
    stuck = first.json()["compartment"]["number"]

    moved = courier.post(
        f"/lockers/{locker.id}/deposits/problems",
        json={"tracking_number": shipment["tracking_number"], "problem": "door_did_not_open"},
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["compartment"]["number"] != stuck
    assert compartment(site, locker.id, stuck)["state"] == "out_of_order"
    alarms = site.operator().get("/alarms", params={"locker_id": locker.id}).json()
    assert [(a["kind"], a["compartment"]) for a in alarms] == [("out_of_order", stuck)]


def test_scanning_the_same_parcel_again_opens_the_same_door(site: Site) -> None:
    locker = site.new_locker("S:2")
    shipment = site.announce(locker.id, "S")
    courier = site.courier()
    body = {"tracking_number": shipment["tracking_number"]}

    first = courier.post(f"/lockers/{locker.id}/deposits", json=body).json()
    again = courier.post(f"/lockers/{locker.id}/deposits", json=body).json()

    assert again["compartment"] == first["compartment"]
    states = [c["state"] for c in site.operator().get(f"/lockers/{locker.id}").json()["compartments"]]
    assert states.count("reserved") == 1


def test_a_door_event_is_applied_once_per_sequence_number(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment = site.announce(locker.id, "S")
    deposit = {"tracking_number": shipment["tracking_number"]}
    number = site.courier().post(f"/lockers/{locker.id}/deposits", json=deposit).json()["compartment"]["number"]

    first = site.door(locker, number, "closed", seq=41)
    again = site.door(locker, number, "closed", seq=41)

    assert first["outcome"] == "parcel_stored" and not first["replayed"]
    assert again == {**first, "replayed": True}
    email = shipment["recipient"]["email"]
    site.message_to(email)
    assert len(site.messages_to(email)) == 1  # one code issued, one message sent


def test_a_carrier_cancels_a_parcel_not_yet_deposited(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment = site.announce(locker.id, "S")

    cancelled = site.carrier().post(f"/shipments/{shipment['id']}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    refused = site.courier().post(
        f"/lockers/{locker.id}/deposits", json={"tracking_number": shipment["tracking_number"]}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "conflict")


def test_a_carrier_finds_its_shipment_by_tracking_number(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment = site.announce(locker.id, "S")

    found = site.carrier().get("/shipments", params={"tracking_number": shipment["tracking_number"]})

    assert found.status_code == 200
    assert [s["id"] for s in found.json()] == [shipment["id"]]
