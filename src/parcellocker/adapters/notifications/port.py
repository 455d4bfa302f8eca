"""The notifier port: something that delivers one message to one address (e-mail, SMS, ...)."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Message:
    """A composed notification, ready to deliver. It holds the pickup code: never log it."""

    notification_id: str
    channel: str  # "email" or "sms"
    to: str
    subject: str
    text: str
    shipment_id: str
    tracking_number: str
    locker_id: str
    code: str
    qr_token: str
    pickup_deadline: datetime
    language: str = "en"  # the recipient's language tag, as the shipment says it
    html: str | None = None  # e-mail: the HTML alternative of `text`, which shows the QR image as cid:`qr_image_cid`
    qr_image_cid: str | None = None


class NotificationFailed(Exception):
    """A notifier could not deliver a message; the outbox tries again later. Its text holds no secret."""


class Notifier(abc.ABC):
    @abc.abstractmethod
    async def send(self, message: Message) -> None:
        """Deliver `message`, or raise NotificationFailed."""

    async def close(self) -> None:  # noqa: B027 (most notifiers hold nothing to close)
        """Let go of connections held between messages; called when the outbox worker stops."""
