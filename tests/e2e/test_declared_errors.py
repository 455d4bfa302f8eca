"""The error answers the server really gives are the ones its OpenAPI declares (found by schemathesis: 400, 409 and
404 answers that /openapi.json did not name, and a 422 described as FastAPI's HTTPValidationError)."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Site


def _declared(site: Site, method: str, path: str) -> dict[str, Any]:
    schema = httpx.get(site.server.base_url + "/openapi.json").json()
    responses: dict[str, Any] = schema["paths"][path][method]["responses"]
    return responses


def test_a_body_that_is_not_json_is_a_declared_400(site: Site) -> None:
    locker = site.new_locker()
    reply = site.operator().post(
        f"/lockers/{locker.id}/compartments/1/out-of-order",
        content=b"\x0e\x00\x1du",
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["code"] == "malformed_json"
    declared = _declared(site, "post", "/api/v1/lockers/{locker_id}/compartments/{number}/out-of-order")
    assert declared["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorPublic"}


def test_a_body_not_sent_as_json_is_a_declared_415(site: Site) -> None:
    reply = site.carrier().post("/shipments", content=b"tracking_number=1", headers={"Content-Type": "text/plain"})
    assert reply.status_code == 415, reply.text
    assert "415" in _declared(site, "post", "/api/v1/shipments")


def test_an_idempotency_key_reused_for_another_request_is_a_declared_409(site: Site) -> None:
    locker = site.new_locker()
    operator = site.operator()
    path = f"/lockers/{locker.id}/pickup-policy"
    first = operator.put(path, json={"pickup_window_hours": 48}, headers={"Idempotency-Key": "policy-1"})
    assert first.status_code == 200, first.text
    again = operator.put(path, json={"pickup_window_hours": 72}, headers={"Idempotency-Key": "policy-1"})
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "idempotency_key_reused"
    assert "409" in _declared(site, "put", "/api/v1/lockers/{locker_id}/pickup-policy")


def test_every_authenticated_operation_declares_401_and_no_422_is_fastapis_own(site: Site) -> None:
    schema = httpx.get(site.server.base_url + "/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if operation.get("security"):
                assert "401" in operation["responses"], f"{method} {path}"
            if "422" in operation["responses"]:
                assert "HTTPValidationError" not in str(operation["responses"]["422"]), f"{method} {path}"
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_an_unknown_extension_link_is_a_declared_404_page(site: Site) -> None:
    reply = site.anonymous.get(site.server.base_url + "/extend/0")
    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/html")
    assert "text/html" in _declared(site, "get", "/extend/{token}")["404"]["content"]


def test_the_credential_is_declared_on_exactly_the_operations_that_need_one(site: Site) -> None:
    """`get_principal` reads the credential headers itself; the OpenAPI still declares both ways of sending it, on
    the operations that need it and on no other."""
    schema = httpx.get(site.server.base_url + "/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["type"] == "http" and schemes["HTTPBearer"]["scheme"] == "bearer"
    assert schemes["APIKeyHeader"]["in"] == "header" and schemes["APIKeyHeader"]["name"] == "X-API-Key"
    both = [{"HTTPBearer": []}, {"APIKeyHeader": []}]
    paths = schema["paths"]
    assert paths["/api/v1/shipments"]["post"]["security"] == both
    assert paths["/api/v1/lockers/{locker_id}/door-events"]["post"]["security"] == both
    assert "security" not in paths["/api/v1/sessions/courier"]["post"]
    assert "security" not in paths["/healthz"]["get"]
    unauthenticated = httpx.post(site.server.base_url + "/api/v1/shipments", json={})
    assert unauthenticated.status_code == 401, unauthenticated.text
