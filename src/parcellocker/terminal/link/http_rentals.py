"""The rental calls of the HTTP link (`HttpLink` inherits them): the API's routes for a locker's terminal."""

from __future__ import annotations

import abc
from typing import Any

from parcellocker.terminal.link import bodies, rental_bodies
from parcellocker.terminal.link.rental_port import RentalDoor, RentalLink, RentalOffer, WalkUpRental


class HttpRentalCalls(RentalLink):
    _locker: str

    async def rental_offer(self) -> RentalOffer:
        return bodies.read(rental_bodies.offer, await self._call("GET", f"{self._locker}/rental-offer"))

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
        payload = rental_bodies.walk_up_request(
            size, duration_minutes, payment_method, voucher_code, email, phone, language
        )
        answer = await self._call("POST", f"{self._locker}/walk-up-rentals", json=payload)
        return bodies.read(rental_bodies.walk_up, answer)

    async def complete_walk_up(self, rental_id: str) -> WalkUpRental:
        url = f"{self._locker}/walk-up-rentals/{rental_id}/complete"
        return bodies.read(rental_bodies.walk_up, await self._call("POST", url))

    async def open_rental(self, code: str) -> RentalDoor:
        body = await self._call("POST", f"{self._locker}/rental-openings", json={"code": code})
        return bodies.read(rental_bodies.door, body)

    async def open_rental_last(
        self, code: str, payment_method: str | None = None, voucher_code: str | None = None
    ) -> RentalDoor:
        payload = {"code": code, "payment_method": payment_method, "voucher_code": voucher_code}
        answer = await self._call("POST", f"{self._locker}/rental-openings/last", json=payload)
        return bodies.read(rental_bodies.door, answer)

    @abc.abstractmethod
    async def _call(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        wait: float | None = None,
        bearer: str | None = None,
    ) -> Any: ...
