"""The `RentalLink` port: what the kiosk asks the server about renting compartments, whatever carries it (HTTP or
MQTT; both link clients implement it next to `Link`). Errors as for `Link`: `LinkDown` when the server cannot be
reached, `LinkRefused` with the server's status, code and details when it said no. Renting needs the server: the
terminal checks no rental code by itself (see docs/rentals.md)."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class OfferedDuration:
    minutes: int
    price: int


@dataclass(frozen=True, slots=True)
class OfferedSize:
    size: str
    free: int
    height_mm: int
    width_mm: int
    depth_mm: int
    durations: list[OfferedDuration]


@dataclass(frozen=True, slots=True)
class RentalOffer:
    currency: str
    walk_up_methods: list[str]
    overdue: str
    sizes: list[OfferedSize]


@dataclass(frozen=True, slots=True)
class PendingPayment:
    payment_id: str
    amount: int
    currency: str
    checkout_url: str | None


@dataclass(frozen=True, slots=True)
class WalkUpRental:
    """A walk-up rental: paid, with its compartment to open and its code (shown once); or waiting at a provider's
    page (`payment`), its compartment held."""

    rental_id: str
    compartment: int
    ends_at: datetime
    price: int
    currency: str
    code: str | None
    payment: PendingPayment | None


@dataclass(frozen=True, slots=True)
class RentalDoor:
    """The compartment to open for a renter (`last`: for the last time), or the overdue payment waiting."""

    rental_id: str
    compartment: int | None
    ends_at: datetime
    last: bool
    payment: PendingPayment | None


class RentalLink(abc.ABC):
    @abc.abstractmethod
    async def rental_offer(self) -> RentalOffer: ...

    @abc.abstractmethod
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
    ) -> WalkUpRental: ...

    @abc.abstractmethod
    async def complete_walk_up(self, rental_id: str) -> WalkUpRental:
        """Once paid at the provider's page (LinkRefused 409 `payment_pending` until then)."""

    @abc.abstractmethod
    async def open_rental(self, code: str) -> RentalDoor: ...

    @abc.abstractmethod
    async def open_rental_last(
        self, code: str, payment_method: str | None = None, voucher_code: str | None = None
    ) -> RentalDoor: ...
