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
    "reminder": {
        "en": Wording(
            subject="Reminder: your parcel {tracking_number} waits at {locker_name} until {deadline}",
            email=(
                "Hello{greeting_name},\n\n"
                "your parcel {tracking_number} is still waiting for you in parcel locker {locker_id} "
                "({locker_name}, {address}).\n\n"
                "Pickup code: {code}\n"
                "Pick it up before {deadline}; after that it goes back to the sender.\n\n"
                "{extend_line}"
                "Instead of typing the code you can show this QR code at the locker's scanner:\n{qr_token}\n"
            ),
            sms="Reminder: parcel {tracking_number} waits at locker {locker_id} until {deadline}. Code {code}.",
        ),
        "pl": Wording(
            subject="Przypomnienie: paczka {tracking_number} czeka w {locker_name} do {deadline}",
            email=(
                "Dzień dobry{greeting_name},\n\n"
                "Twoja paczka {tracking_number} wciąż czeka w paczkomacie {locker_id} "
                "({locker_name}, {address}).\n\n"
                "Kod odbioru: {code}\n"
                "Odbierz ją do {deadline}; potem wróci do nadawcy.\n\n"
                "{extend_line}"
                "Zamiast wpisywać kod możesz pokazać ten kod QR skanerowi paczkomatu:\n{qr_token}\n"
            ),
            sms="Przypomnienie: paczka {tracking_number} czeka w paczkomacie {locker_id} do {deadline}. Kod {code}.",
        ),
    },
    "expired": {
        "en": Wording(
            subject="Your parcel {tracking_number} was not picked up",
            email=(
                "Hello{greeting_name},\n\n"
                "the time to pick up your parcel {tracking_number} from parcel locker {locker_id} "
                "({locker_name}, {address}) ended on {deadline}.\n\n"
                "The pickup code no longer works; the parcel goes back to the sender.\n"
            ),
            sms="Parcel {tracking_number} was not picked up by {deadline} and goes back to the sender.",
        ),
        "pl": Wording(
            subject="Twoja paczka {tracking_number} nie została odebrana",
            email=(
                "Dzień dobry{greeting_name},\n\n"
                "czas na odbiór paczki {tracking_number} z paczkomatu {locker_id} "
                "({locker_name}, {address}) minął {deadline}.\n\n"
                "Kod odbioru już nie działa; paczka wraca do nadawcy.\n"
            ),
            sms="Paczka {tracking_number} nie zostala odebrana do {deadline} i wraca do nadawcy.",
        ),
    },
}
# The line of a reminder that offers the extension link, while the deadline can still be extended.
EXTEND_LINES = {
    "en": "Need more time? You can extend the deadline once, here: {extend_url}\n\n",
    "pl": "Potrzebujesz więcej czasu? Możesz raz przedłużyć termin odbioru tutaj: {extend_url}\n\n",
}


def compose(notification: Notification, secrets: dict[str, str], shipment: Shipment, locker: Locker) -> Message:
    """The message for `notification`; `secrets` is its unsealed payload (the code, the QR token and the extension
    link of a waiting parcel; nothing for an expired one)."""
    assert shipment.pickup_deadline is not None
    wordings = WORDINGS[notification.template]
    wording = wordings.get(notification.language, wordings["en"])
    extend_url = secrets.get("extend_url", "")
    extend_line = EXTEND_LINES.get(notification.language, EXTEND_LINES["en"]) if extend_url else ""
    fields = {
        "greeting_name": f" {shipment.recipient.name}" if shipment.recipient.name else "",
        "tracking_number": shipment.tracking_number,
        "locker_id": locker.id,
        "locker_name": locker.name,
        "address": locker.address or locker.name,
        "code": secrets.get("code", ""),
        "qr_token": secrets.get("qr", ""),
        "deadline": local_time(shipment.pickup_deadline, locker.timezone),
        "extend_line": extend_line.format(extend_url=extend_url),
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
        code=secrets.get("code", ""),
        qr_token=secrets.get("qr", ""),
        pickup_deadline=shipment.pickup_deadline,
    )


def local_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")
