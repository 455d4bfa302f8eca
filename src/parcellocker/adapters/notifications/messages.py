"""The words of each notification, per language and channel; times in the locker's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from parcellocker.adapters.notifications.port import Message
from parcellocker.domain.locker import Locker
from parcellocker.domain.shipment import Shipment
from parcellocker.service.ports import Notification


@dataclass(frozen=True, slots=True)
class Wording:
    subject: str
    email: str
    sms: str


# Templates by name, then by language; "en" is used for any language not listed.
WORDINGS: dict[str, dict[str, Wording]] = {
    "parcel_stored": {
        "en": Wording(
            subject="Your parcel {tracking_number} is waiting at {locker_name}",
            email=(
                "Hello{greeting_name},\n\n"
                "your parcel {tracking_number} is waiting for you in parcel locker {locker_id} "
                "({locker_name}, {address}).\n\n"
                "Pickup code: {code}\n"
                "Pick it up before {deadline}.\n\n"
                "Instead of typing the code you can show this QR code at the locker's scanner:\n{qr_token}\n"
            ),
            sms="Parcel {tracking_number} is at locker {locker_id} ({locker_name}). Code {code}, "
            "pick up before {deadline}. QR: {qr_token}",
        ),
        "pl": Wording(
            subject="Twoja paczka {tracking_number} czeka w {locker_name}",
            email=(
                "Dzień dobry{greeting_name},\n\n"
                "Twoja paczka {tracking_number} czeka w paczkomacie {locker_id} "
                "({locker_name}, {address}).\n\n"
                "Kod odbioru: {code}\n"
                "Odbierz ją do {deadline}.\n\n"
                "Zamiast wpisywać kod możesz pokazać ten kod QR skanerowi paczkomatu:\n{qr_token}\n"
            ),
            sms="Paczka {tracking_number} czeka w paczkomacie {locker_id} ({locker_name}). Kod {code}, "
            "odbior do {deadline}. QR: {qr_token}",
        ),
    },
}


def compose(notification: Notification, secrets: dict[str, str], shipment: Shipment, locker: Locker) -> Message:
    """The message for `notification`; `secrets` is its unsealed payload (the code and the QR token)."""
    assert shipment.pickup_deadline is not None
    wordings = WORDINGS[notification.template]
    wording = wordings.get(notification.language, wordings["en"])
    fields = {
        "greeting_name": f" {shipment.recipient.name}" if shipment.recipient.name else "",
        "tracking_number": shipment.tracking_number,
        "locker_id": locker.id,
        "locker_name": locker.name,
        "address": locker.address or locker.name,
        "code": secrets["code"],
        "qr_token": secrets["qr"],
        "deadline": local_time(shipment.pickup_deadline, locker.timezone),
    }
    body = wording.sms if notification.channel == "sms" else wording.email
    return Message(
        notification_id=notification.id,
        channel=notification.channel,
        to=notification.address,
        subject=wording.subject.format(**fields),
        text=body.format(**fields),
        shipment_id=shipment.id,
        tracking_number=shipment.tracking_number,
        locker_id=locker.id,
        code=secrets["code"],
        qr_token=secrets["qr"],
        pickup_deadline=shipment.pickup_deadline,
    )


def local_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")
