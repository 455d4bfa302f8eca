"""A small asynchronous client of the management server's API, for the demo walk-through and the benchmark.

It reaches the server through an `ApiTransport`: aiohttp's session for the demo and the tools
(aiohttp_transport.py), a pool of lean keep-alive connections for the benchmarks (bench/http_connection.py), whose
clients share the server's cores and must cost it as little CPU as they can.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import orjson


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class ApiTransport(Protocol):
    """How a request reaches the server: its status and body come back, whatever the status."""

    async def request(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, bytes]: ...


class LockerApiClient:
    """Calls as one party (carrier, courier, terminal); `bearer` is its key or session token."""

    def __init__(self, transport: ApiTransport, bearer: str | None = None) -> None:
        self.transport = transport
        self.headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        self._json_headers = {**self.headers, "Content-Type": "application/json"}

    def as_party(self, bearer: str) -> LockerApiClient:
        return LockerApiClient(self.transport, bearer)

    async def sign_in_courier(self, courier_id: str, pin: str) -> str:
        body = await self.post("/api/v1/sessions/courier", {"courier_id": courier_id, "pin": pin})
        token: str = body["token"]
        return token

    async def announce(self, tracking_number: str, locker_id: str, size: str, email: str) -> Any:
        body = {"tracking_number": tracking_number, "locker_id": locker_id, "size": size, "recipient": {"email": email}}
        return await self.post("/api/v1/shipments", body, expect=201)

    async def deposit(self, locker_id: str, tracking_number: str) -> Any:
        return await self.post(f"/api/v1/lockers/{locker_id}/deposits", {"tracking_number": tracking_number})

    async def door_event(self, locker_id: str, compartment: int, state: str, seq: int) -> Any:
        body = {"compartment": compartment, "state": state, "seq": seq}
        return await self.post(f"/api/v1/lockers/{locker_id}/door-events", body)

    async def pick_up(self, locker_id: str, code: str) -> Any:
        return await self.post(f"/api/v1/lockers/{locker_id}/pickups", {"code": code})

    async def shipment(self, shipment_id: str) -> Any:
        return await self.get(f"/api/v1/shipments/{shipment_id}")

    async def get(self, path: str, expect: int = 200) -> Any:
        status, raw = await self.transport.request("GET", path, None, self.headers)
        return _answer(status, raw, expect)

    async def post(self, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        # Encoded with orjson rather than json.dumps: the benchmark's clients share the server's cores.
        status, raw = await self.transport.request("POST", path, orjson.dumps(body), self._json_headers)
        return _answer(status, raw, expect)


def _answer(status: int, raw: bytes, expect: int) -> Any:
    try:
        payload = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        payload = None
    if status != expect:
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        raise ApiError(status, error.get("code", "unknown"), error.get("message", raw[:200].decode(errors="replace")))
    return payload
