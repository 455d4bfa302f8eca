"""A composed e-mail notification as a MIME message: plain text and HTML alternatives, the QR code inline."""

from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from parcellocker.adapters.notifications.port import Message, NotificationFailed
from parcellocker.adapters.notifications.qr_image import qr_png

QR_FILENAME = "pickup-qr.png"


def email_message(message: Message, sender: str, now: datetime | None = None) -> EmailMessage:
    """multipart/alternative of text/plain and, if the message has HTML, multipart/related of text/html and the
    QR image (image/png, Content-ID `qr_image_cid`, inline). The Message-ID follows from the notification's id, so
    a message sent twice is known as one by the recipient's mail system."""
    mail = EmailMessage()
    try:
        mail["From"] = sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
    except (ValueError, IndexError):
        raise NotificationFailed("the recipient's address or the subject cannot be put in an e-mail header") from None
    if any(getattr(mail["To"], "defects", ())) or not mail["To"].addresses:
        raise NotificationFailed("the recipient's address is not an e-mail address an SMTP server takes")
    mail["Date"] = format_datetime(now or datetime.now(UTC))
    mail["Message-ID"] = f"<{message.notification_id}@{_domain_of(sender)}>"
    mail.set_content(message.text)
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html")
        if message.qr_image_cid is not None:
            html_part = next(part for part in mail.iter_parts() if part.get_content_type() == "text/html")
            html_part.add_related(
                qr_png(message.qr_token),
                "image",
                "png",
                cid=f"<{message.qr_image_cid}>",
                disposition="inline",
                filename=QR_FILENAME,
            )
    mail["Content-Language"] = message.language  # after the content: setting it clears every Content-* header
    return mail


def _domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    try:
        return Address(addr_spec=address).domain or "parcellocker.invalid"
    except (ValueError, IndexError):
        return "parcellocker.invalid"
