"""A stored parcel at a Warsaw locker, and its notifications, for the notification tests."""

from __future__ import annotations

from datetime import UTC, datetime

from parcellocker.domain.locker import Locker
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentState
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.service.ports import Notification

STORED_AT = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 28, 13, 30, tzinfo=UTC)  # 14:30 in Warsaw (CET)
SECRETS = {"code": "804213", "qr": "PLQR1.eyJzIjoiUy0xIn0.c2lnbmF0dXJl"}


def a_locker(name: str = "Dworzec Centralny") -> Locker:
    return Locker(
        id="WAW-1",
        name=name,
        address="Aleje Jerozolimskie 54, Warszawa",
        timezone="Europe/Warsaw",
        opening_hours="Mon-Sat 6:00-22:00",
    )


def a_stored_parcel(name: str | None = "Ola") -> Shipment:
    recipient = Recipient(email="ola@example.com", phone="+48600100200", name=name, language="pl")
    return Shipment(
        id="S-1",
        tracking_number="PL123456789",
        carrier_id="demo-express",
        locker_id="WAW-1",
        parcel=ParcelSpec(Size.S),
        recipient=recipient,
        created_at=STORED_AT,
        state=ShipmentState.STORED,
        pickup_deadline=DEADLINE,
        stored_at=STORED_AT,
    )


def a_notification(channel: str = "email", language: str = "pl", template: str = "parcel_stored") -> Notification:
    address = "ola@example.com" if channel == "email" else "+48600100200"
    return Notification(f"n-{channel}-{language}", "S-1", channel, address, template, language, "sealed", STORED_AT)
