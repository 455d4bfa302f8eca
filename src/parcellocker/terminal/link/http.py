"""The link over plain HTTP to the server's API: events POSTed (door changes to `door-events`, the others to
`events`), commands long-polled from `commands?after=…&wait=…` and acknowledged, the code sheet GET from `codes`.
"""

from __future__ import annotations

from typing import Any

import httpx

from parcellocker.terminal.link import bodies
from parcellocker.terminal.link.http_rentals import HttpRentalCalls
from parcellocker.terminal.link.port import (
    CodeSheet,
    Command,
    CompartmentToOpen,
    EventKind,
    EventReceipt,
    Greeting,
    Link,
    LinkDown,
    LinkRefused,
    OutboxEvent,
    ParcelToCollect,
)


class HttpLink(HttpRentalCalls, Link):
    def __init__(
        self,
        base_url: str,
        locker_id: str,
        terminal_key: str,
        *,
        timeout: float = 5.0,
        pickup_timeout: float = 3.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`base_url`: the server, e.g. http://127.0.0.1:8000 (the API is under /api/v1)."""
        self.locker_id = locker_id
        self._timeout = timeout
        self._pickup_timeout = pickup_timeout
        self._locker = f"/lockers/{locker_id}"
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/api/v1",
            headers={"Authorization": f"Bearer {terminal_key}"},
            timeout=timeout,
            transport=transport,
        )

    async def greet(self) -> Greeting:
        return bodies.read(bodies.greeting, await self._call("GET", f"{self._locker}/link"))

    async def send_event(self, event: OutboxEvent) -> EventReceipt:
        if event.kind is EventKind.DOOR:
            payload = {"compartment": event.body["compartment"], "state": event.body["state"], "seq": event.seq}
            body = await self._call("POST", f"{self._locker}/door-events", json=payload)
        else:
            payload = {"seq": event.seq, "kind": event.kind.value, "at": event.at.isoformat(), **event.body}
            body = await self._call("POST", f"{self._locker}/events", json=payload)
        return bodies.read(bodies.receipt, body)

    async def fetch_code_sheet(self) -> CodeSheet:
        return bodies.read(bodies.code_sheet, await self._call("GET", f"{self._locker}/codes"))

    async def next_commands(self, after: int, wait: float) -> list[Command]:
        body = await self._call(
            "GET",
            f"{self._locker}/commands",
            params={"after": after, "wait": wait},
            wait=wait + self._timeout,
        )
        return bodies.read(bodies.commands, body)

    async def acknowledge_command(self, command_id: int, outcome: str, detail: str | None) -> None:
        payload = {"outcome": outcome, "detail": None if detail is None else detail[:500]}
        await self._call("POST", f"{self._locker}/commands/{command_id}/ack", json=payload)

    async def pick_up(self, *, code: str | None = None, qr_token: str | None = None) -> CompartmentToOpen:
        payload = {"code": code} if code is not None else {"qr_token": qr_token}
        body = await self._call("POST", f"{self._locker}/pickups", json=payload, wait=self._pickup_timeout)
        return bodies.read(bodies.compartment_to_open, body)

    async def sign_in_courier(self, courier_id: str, pin: str) -> str:
        body = await self._call("POST", "/sessions/courier", json={"courier_id": courier_id, "pin": pin})
        return bodies.read(bodies.token, body)

    async def deposit(self, courier_token: str, tracking_number: str, reachable: bool = False) -> CompartmentToOpen:
        payload: dict[str, Any] = {"tracking_number": tracking_number}
        if reachable:
            payload["reachable"] = True
        body = await self._call("POST", f"{self._locker}/deposits", json=payload, bearer=courier_token)
        return bodies.read(bodies.compartment_to_open, body)

    async def report_deposit_problem(self, courier_token: str, tracking_number: str, problem: str) -> CompartmentToOpen:
        payload = {"tracking_number": tracking_number, "problem": problem}
        url = f"{self._locker}/deposits/problems"
        answer = await self._call("POST", url, json=payload, bearer=courier_token)
        return bodies.read(bodies.compartment_to_open, answer)

    async def reopen_after_pickup(self, shipment_id: str, compartment: int) -> None:
        payload = {"shipment_id": shipment_id, "compartment": compartment}
        await self._call("POST", f"{self._locker}/pickups/reopen", json=payload, wait=self._pickup_timeout)

    async def parcels_to_collect(self, courier_token: str) -> list[ParcelToCollect]:
        answer = await self._call("GET", f"{self._locker}/collections", bearer=courier_token)
        return bodies.read(bodies.parcels_to_collect, answer)

    async def collect(self, courier_token: str, tracking_number: str) -> CompartmentToOpen:
        payload = {"tracking_number": tracking_number}
        url = f"{self._locker}/collections"
        answer = await self._call("POST", url, json=payload, bearer=courier_token)
        return bodies.read(bodies.compartment_to_open, answer)

    async def drop_off(self, code: str, reachable: bool = False) -> CompartmentToOpen:
        payload: dict[str, Any] = {"code": code}
        if reachable:
            payload["reachable"] = True
        body = await self._call("POST", f"{self._locker}/dropoffs", json=payload, wait=self._pickup_timeout)
        return bodies.read(bodies.compartment_to_open, body)

    async def report_dropoff_problem(self, code: str, problem: str) -> CompartmentToOpen:
        payload = {"code": code, "problem": problem}
        body = await self._call("POST", f"{self._locker}/dropoffs/problems", json=payload, wait=self._pickup_timeout)
        return bodies.read(bodies.compartment_to_open, body)

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        wait: float | None = None,
        bearer: str | None = None,
    ) -> Any:
        """The JSON answer; LinkDown for no answer or a server failure, LinkRefused for any other error.
        `wait`: seconds for the answer instead of the usual timeout; `bearer`: a credential to send instead of the
        terminal's key (a courier's token)."""
        headers = {} if bearer is None else {"Authorization": f"Bearer {bearer}"}
        try:
            reply = await self._client.request(
                method, url, json=json, params=params, headers=headers, timeout=wait or self._timeout
            )
        except httpx.HTTPError as error:
            raise LinkDown(f"{method} {url}: {type(error).__name__}: {error}") from error
        if reply.status_code >= 500:
            raise LinkDown(f"{method} {url}: the server answered {reply.status_code}")
        if reply.status_code >= 400:
            raise _refused(reply)
        try:
            return reply.json()
        except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, or nested past the recursion limit
            raise LinkDown(f"{method} {url}: the answer is not JSON") from error


def _refused(reply: httpx.Response) -> LinkRefused:
    try:
        return bodies.refused(reply.status_code, reply.json()["error"])
    except (ValueError, KeyError, TypeError, RecursionError):
        return LinkRefused(reply.status_code, "error", reply.text[:200])
