"""A site for the webhook worker's tests, set up and changed through the real use cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypeVar

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.shipment import Recipient, Shipment
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.service.accounts import AddCarrier, add_carrier
from parcellocker.service.context import Services
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.ports import Clock
from parcellocker.service.shipments import AnnounceShipment, CancelShipment, announce_shipment, cancel_shipment
from parcellocker.service.webhooks import SetWebhook, set_webhook

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
OPERATOR = Principal(Role.OPERATOR, "ops")
LOCKER = "L-1"
T = TypeVar("T")


def same(value: T) -> T:
    return value


class StoppedClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now += by


def carrier(carrier_id: str) -> Principal:
    return Principal(Role.CARRIER, carrier_id, carrier_id)


async def a_site(services: Services, *carrier_ids: str) -> None:
    await services.run(add_locker, AddLocker(OPERATOR, "Locker", "1 Square", "S:40", LOCKER), same)
    for carrier_id in carrier_ids:
        await services.run(add_carrier, AddCarrier(OPERATOR, f"Carrier {carrier_id}", carrier_id), same)


async def register(services: Services, carrier_id: str, url: str) -> str:
    """The carrier's webhook at `url`; returns its secret."""
    registered = await services.run(set_webhook, SetWebhook(carrier(carrier_id), carrier_id, url), same)
    assert registered.secret is not None
    return registered.secret


async def announce(services: Services, carrier_id: str, tracking_number: str) -> Shipment:
    command = AnnounceShipment(
        carrier(carrier_id), tracking_number, LOCKER, ParcelSpec(Size.S), Recipient(email="ola@example.org")
    )
    shipment: Shipment = await services.run(announce_shipment, command, same)
    return shipment


async def cancel(services: Services, carrier_id: str, shipment_id: str) -> None:
    await services.run(cancel_shipment, CancelShipment(carrier(carrier_id), shipment_id), same)
