"""A small asynchronous client of the management server's API, for the demo walk-through and the benchmark."""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class LockerApiClient:
    """Calls as one party (carrier, courier, terminal); `bearer` is its key or session token."""

    def __init__(self, http: aiohttp.ClientSession, bearer: str | None = None) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        self._json_headers = {**self.headers, "Content-Type": "application/json"}

    def as_party(self, bearer: str) -> LockerApiClient:
        return LockerApiClient(self.http, bearer)

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
        async with self.http.get(f"/api/v1/shipments/{shipment_id}", headers=self.headers) as response:
            return await _answer(response, 200)

    async def post(self, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        # Encoded with orjson rather than aiohttp's json.dumps: the benchmark's clients share the server's cores.
        async with self.http.post(path, data=orjson.dumps(body), headers=self._json_headers) as response:
            return await _answer(response, expect)


async def _answer(response: aiohttp.ClientResponse, expect: int) -> Any:
    raw = await response.read()
    try:
        payload = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        payload = None
    if response.status != expect:
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        raise ApiError(
            response.status, error.get("code", "unknown"), error.get("message", raw[:200].decode(errors="replace"))
        )
    return payload
