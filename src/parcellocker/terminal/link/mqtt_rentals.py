"""The rental calls of the MQTT link (`MqttLink` inherits them): requests on the locker's `requests` topic, answered
on `replies` (the server's `adapters/mqtt/rental_requests.py` answers them with the HTTP API's bodies)."""

from __future__ import annotations

import abc
from typing import Any, TypeVar

from parcellocker.terminal.link import bodies, rental_bodies
from parcellocker.terminal.link.rental_port import RentalDoor, RentalLink, RentalOffer, WalkUpRental

T = TypeVar("T")


class MqttRentalCalls(RentalLink):
    async def rental_offer(self) -> RentalOffer:
        return bodies.read(rental_bodies.offer, await self._request("rental_offer", {}))

    async def rent(
        self,
        size: str,
        duration_minutes: int,
        payment_method: str,
        *,
        voucher_code: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        language: str = "en",
    ) -> WalkUpRental:
        body = rental_bodies.walk_up_request(
            size, duration_minutes, payment_method, voucher_code, email, phone, language
        )
        return bodies.read(rental_bodies.walk_up, await self._request("rental_walk_up", body))

    async def complete_walk_up(self, rental_id: str) -> WalkUpRental:
        return bodies.read(rental_bodies.walk_up, await self._request("rental_complete", {"rental_id": rental_id}))

    async def open_rental(self, code: str) -> RentalDoor:
        return bodies.read(rental_bodies.door, await self._request("rental_open", {"code": code}))

    async def open_rental_last(
        self, code: str, payment_method: str | None = None, voucher_code: str | None = None
    ) -> RentalDoor:
        body = {"code": code, "payment_method": payment_method, "voucher_code": voucher_code}
        return bodies.read(rental_bodies.door, await self._request("rental_open_last", body))

    @abc.abstractmethod
    async def _request(self, op: str, body: dict[str, Any], within: float | None = None) -> Any: ...
