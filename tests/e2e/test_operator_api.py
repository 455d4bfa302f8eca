"""The operator's endpoints the dashboard shares with scripts: compartments out of order and back, acknowledging
alarms, a shipment's history."""

from __future__ import annotations

from .conftest import Site


def test_a_compartment_goes_out_of_order_and_back_over_the_api(site: Site) -> None:
    locker = site.new_locker("S:2")
    operator = site.operator()
    base = f"/lockers/{locker.id}/compartments/2"
    headers = {"Idempotency-Key": f"ooo-{locker.id}"}
    taken = operator.post(f"{base}/out-of-order", json={"reason": "dirty"}, headers=headers)
    again = operator.post(f"{base}/out-of-order", json={"reason": "dirty"}, headers=headers)  # replayed, not refused
    assert taken.status_code == again.status_code == 200
    assert (taken.json()["state"], taken.json()["out_of_order_reason"]) == ("out_of_order", "dirty")
    twice = operator.post(f"{base}/out-of-order", json={"reason": "still dirty"})
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "illegal_transition")
    back = operator.post(f"{base}/return-to-service")
    assert (back.status_code, back.json()["state"]) == (200, "free")


def test_out_of_order_is_refused_clearly_for_bad_input_a_parcel_inside_and_other_roles(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, number = site.store(locker)
    base = f"/lockers/{locker.id}/compartments"
    operator = site.operator()
    holding = operator.post(f"{base}/{number}/out-of-order", json={"reason": "dirty"})
    no_reason = operator.post(f"{base}/{number}/out-of-order", json={})
    no_such = operator.post(f"{base}/9/out-of-order", json={"reason": "dirty"})
    carrier = site.carrier().post(f"{base}/{number}/out-of-order", json={"reason": "dirty"})
    assert (holding.status_code, holding.json()["error"]["code"]) == (409, "illegal_transition")
    assert shipment["tracking_number"] in holding.json()["error"]["message"]
    assert (no_reason.status_code, no_reason.json()["error"]["fields"][0]["field"]) == (422, "reason")
    assert no_such.status_code == 404
    assert no_such.json()["error"]["message"] == f"locker {locker.id} has no compartment 9"
    assert carrier.status_code == 403


def test_an_alarm_is_acknowledged_once_over_the_api(site: Site) -> None:
    locker = site.new_locker("S:1")
    site.door(locker, 1, "open")
    (alarm,) = site.operator().get("/alarms", params={"locker_id": locker.id}).json()
    first = site.operator().post(f"/alarms/{alarm['id']}/acknowledge")
    second = site.operator().post(f"/alarms/{alarm['id']}/acknowledge")
    unknown = site.operator().post("/alarms/no-such-alarm/acknowledge")
    assert first.status_code == 200 and first.json()["acknowledged_at"] is not None
    assert (second.status_code, second.json()["error"]["code"]) == (409, "alarm_already_acknowledged")
    assert unknown.status_code == 404
    assert site.carrier().post(f"/alarms/{alarm['id']}/acknowledge").status_code == 403


def test_a_shipments_history_is_read_by_its_carrier_and_operators(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, _ = site.store(locker)
    history = site.carrier().get(f"/shipments/{shipment['id']}/history")
    assert history.status_code == 200
    assert [(step["from_state"], step["to_state"]) for step in history.json()] == [
        (None, "announced"),
        ("announced", "stored"),
    ]
    assert site.operator().get(f"/shipments/{shipment['id']}/history").json() == history.json()
    _, other_courier = site.new_carrier()
    assert other_courier.get(f"/shipments/{shipment['id']}/history").status_code == 404
