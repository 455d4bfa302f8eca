"""What operations people look at: health, metrics, the API description, the audit log, alarms."""

from __future__ import annotations

import httpx

from .conftest import Site


def test_health_says_ok_when_the_database_answers(site: Site) -> None:
    reply = httpx.get(site.server.base_url + "/healthz")
    assert (reply.status_code, reply.json()) == (200, {"status": "ok"})


def test_the_api_is_described_at_docs(site: Site) -> None:
    assert httpx.get(site.server.base_url + "/docs").status_code == 200
    paths = httpx.get(site.server.base_url + "/openapi.json").json()["paths"]
    for path in (
        "/api/v1/lockers",
        "/api/v1/lockers/{locker_id}",
        "/api/v1/shipments",
        "/api/v1/shipments/{shipment_id}",
        "/api/v1/shipments/{shipment_id}/cancel",
        "/api/v1/lockers/{locker_id}/deposits",
        "/api/v1/lockers/{locker_id}/deposits/problems",
        "/api/v1/lockers/{locker_id}/pickups",
        "/api/v1/lockers/{locker_id}/door-events",
        "/api/v1/sessions/courier",
        "/api/v1/sessions/operator",
        "/api/v1/carriers",
        "/api/v1/couriers",
        "/api/v1/alarms",
        "/api/v1/audit/verify",
    ):
        assert path in paths, path


def test_metrics_count_requests_by_route_template_and_status(site: Site) -> None:
    site.carrier().get("/shipments/no-such-shipment")
    text = httpx.get(site.server.base_url + "/metrics").text
    assert 'parcellocker_http_requests_total{method="GET",route="/api/v1/shipments/{shipment_id}",status="404"}' in text
    assert "parcellocker_http_request_duration_seconds_bucket" in text
    assert "no-such-shipment" not in text


def test_the_audit_log_holds_after_a_delivery_and_a_pickup(site: Site) -> None:
    locker = site.new_locker("S:1")
    shipment, number = site.store(locker)
    code = site.message_to(shipment["recipient"]["email"])["code"]
    locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": code})
    site.door(locker, number, "closed")

    verdict = site.operator().get("/audit/verify").json()

    assert verdict["ok"] is True and verdict["broken_at"] is None
    assert verdict["entries"] >= 5  # operator, carrier, courier, lockers, deposit, pickup ...


def test_an_operator_sees_a_forced_door_as_an_alarm(site: Site) -> None:
    locker = site.new_locker("S:1")
    event = site.door(locker, 1, "open")
    assert event["outcome"] == "forced_door"
    alarms = site.operator().get("/alarms", params={"locker_id": locker.id}).json()
    assert [(a["kind"], a["compartment"]) for a in alarms] == [("forced_door", 1)]
