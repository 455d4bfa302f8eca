"""Composing a notification: what its templates are told, in the recipient's language and the locker's time zone."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time

from parcellocker.adapters.notifications.library import FALLBACK_LANGUAGE, TemplateLibrary, language_candidates
from parcellocker.adapters.notifications.port import Message
from parcellocker.domain.locker import Locker
from parcellocker.domain.shipment import Shipment
from parcellocker.service.ports import Notification

# CLDR puts (narrow) no-break spaces in times ("2:30\u202fPM"): plain ones keep an SMS in the GSM alphabet.
_PLAIN_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})
_LITERAL = re.compile(r"'([^']*)'")  # CLDR quotes literal text in a pattern: "{1} 'at' {0}"


def compose(
    library: TemplateLibrary, notification: Notification, secrets: dict[str, str], shipment: Shipment, locker: Locker
) -> Message:
    """The message for `notification`; `secrets` is its unsealed payload (for a waiting parcel the code, the QR token
    and, while the deadline can be extended, the extension link; nothing for an expired one; the drop-off code for
    a parcel to send or return)."""
    deadline = message_deadline(shipment)
    qr_image_cid = f"pickup-qr.{notification.id}@parcellocker" if secrets.get("qr") else None
    context = template_context(notification.language, secrets, shipment, locker, qr_image_cid)
    subject, text, html = rendered(library, notification, context)
    return Message(
        notification_id=notification.id,
        channel=notification.channel,
        to=notification.address,
        subject=subject,
        text=text,
        shipment_id=shipment.id,
        tracking_number=shipment.tracking_number,
        locker_id=locker.id,
        code=secrets.get("code", ""),
        qr_token=secrets.get("qr", ""),
        pickup_deadline=deadline,
        language=notification.language,
        html=html,
        qr_image_cid=qr_image_cid if html is not None else None,  # no QR token, no picture
    )


def rendered(
    library: TemplateLibrary, notification: Notification, context: dict[str, Any]
) -> tuple[str, str, str | None]:
    """The notification's template rendered for its channel: subject (none for an SMS), text, and HTML (e-mail)."""
    if notification.channel == "sms":
        return "", library.render_sms(notification.template, notification.language, context), None
    email = library.render_email(notification.template, notification.language, context)
    return email.subject, email.text, email.html


def template_context(
    language: str, secrets: dict[str, str], shipment: Shipment, locker: Locker, qr_image_cid: str | None
) -> dict[str, Any]:
    """What every template may use (docs/notifications.md lists it); what a message does not carry is empty."""
    deadline = message_deadline(shipment).astimezone(ZoneInfo(locker.timezone))
    locale = babel_locale(language)
    return {
        "language": language,
        "recipient_name": shipment.recipient.name or "",
        "tracking_number": shipment.tracking_number,
        "kind": shipment.kind.value,
        "code": secrets.get("code", ""),
        "qr_token": secrets.get("qr", ""),
        "qr_image": f"cid:{qr_image_cid}" if qr_image_cid is not None else "",
        "extend_url": secrets.get("extend_url", ""),
        "deadline": long_local_time(deadline, locale),
        "deadline_short": short_local_time(deadline, locale),
        "deadline_iso": deadline.isoformat(timespec="minutes"),
        "locker": {
            "id": locker.id,
            "name": locker.name,
            "address": locker.address,
            "opening_hours": locker.opening_hours,
            "timezone": locker.timezone,
        },
    }


def message_deadline(shipment: Shipment) -> datetime:
    """The deadline a message tells: the pickup deadline, or for a parcel to send or return, until when its drop-off
    code works."""
    deadline = shipment.pickup_deadline or shipment.dropoff_code_expires_at
    assert deadline is not None, f"shipment {shipment.id} has no deadline to tell"
    return deadline


def babel_locale(language: str) -> Locale:
    """The best locale Babel knows for a recipient's language tag, English if none."""
    for candidate in language_candidates(language):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(FALLBACK_LANGUAGE)


def long_local_time(moment: datetime, locale: Locale) -> str:
    """E.g. "Sat, Nov 28, 2026, 2:30 PM CET", "sob., 28 lis 2026, 14:30 CET": the zone's abbreviation at the end."""
    date = format_skeleton("yMMMEd", moment, locale=locale)
    return f"{_date_and_time(locale, 'medium', date, moment)} {moment.strftime('%Z')}"


def short_local_time(moment: datetime, locale: Locale) -> str:
    """E.g. "Nov 28, 2:30 PM", "28 lis, 14:30": for a short message, in the locker's time zone."""
    return _date_and_time(locale, "short", format_skeleton("MMMd", moment, locale=locale), moment)


def _date_and_time(locale: Locale, width: str, date: str, moment: datetime) -> str:
    time = format_time(moment, "short", locale=locale)
    pattern = _LITERAL.sub(lambda quoted: quoted[1] or "'", str(locale.datetime_formats.get(width, "{1} {0}")))
    text = pattern.replace("{1}", date).replace("{0}", time)
    return text.translate(_PLAIN_SPACES)
