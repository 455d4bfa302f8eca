"""Pickup codes, QR tokens, PINs, passwords and keys never reach a log line, even at DEBUG level."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import COURIER_PIN, DATABASE_KINDS, OPERATOR_PASSWORD, RunningServer, Site, start_server

NEW_COURIER_PIN = "80264731"


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: object,
    postgres_databases: object,
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp(f"e2e-logs-{request.param}")
    yield from start_server(request.param, folder, sqlite_databases, postgres_databases, log_level="DEBUG")  # type: ignore[arg-type]


def appears(secret: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", text) is not None


def test_no_secret_of_a_whole_flow_is_logged(site: Site) -> None:
    operator = site.operator()
    carrier_id, _ = site.new_carrier()
    added = operator.post(
        "/couriers", json={"courier_id": "log-courier", "carrier_id": carrier_id, "pin": NEW_COURIER_PIN}
    )
    assert added.status_code == 201
    bad_pin = operator.post("/couriers", json={"courier_id": "log-c2", "carrier_id": carrier_id, "pin": "12ab5678"})
    assert bad_pin.status_code == 422 and "12ab5678" not in bad_pin.text  # errors do not echo what was sent
    wrong_pin = site.anonymous.post(
        "/sessions/courier", json={"courier_id": site.server.seeded.courier_id, "pin": "91827364"}
    )
    assert wrong_pin.status_code == 401
    locker = site.new_locker("S:2")
    shipment, number = site.store(locker)
    message = site.message_to(shipment["recipient"]["email"])
    wrong_code = f"{(int(message['code']) + 1) % 1_000_000:06d}"
    assert locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": wrong_code}).status_code == 404
    assert locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"code": message["code"]}).status_code == 200
    site.door(locker, number, "closed")
    second, _ = site.store(locker)
    qr_token = site.message_to(second["recipient"]["email"])["qr_token"]
    assert locker.terminal.post(f"/lockers/{locker.id}/pickups", json={"qr_token": qr_token}).status_code == 200

    log = site.server.log_text()

    assert "notification" in log and "POST /api/v1/lockers" in log  # the log did record the flow
    secrets = {
        "pickup code": message["code"],
        "wrong pickup code": wrong_code,
        "QR token": qr_token,
        "courier PIN": COURIER_PIN,
        "new courier PIN": NEW_COURIER_PIN,
        "wrong PIN": "91827364",
        "operator password": OPERATOR_PASSWORD,
        "carrier key": site.server.seeded.carrier_key,
        "terminal key": site.server.seeded.lockers[0].terminal_key,
        "session token": next(iter(site.server.session_tokens.values())),
    }
    leaked = [name for name, secret in secrets.items() if appears(secret, log)]
    assert leaked == [], f"found in the server log ({Path(site.server.log_path)}): {leaked}"
