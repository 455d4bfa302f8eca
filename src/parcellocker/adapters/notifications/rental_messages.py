"""Composing a rental's notification: its code and window (`rental_code`), or that its contents wait with the
locker's staff (`rental_to_collect`), in the renter's language and the locker's time zone."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from parcellocker.adapters.notifications.library import TemplateLibrary
from parcellocker.adapters.notifications.messages import babel_locale, long_local_time, rendered, short_local_time
from parcellocker.adapters.notifications.port import Message
from parcellocker.domain.locker import Locker
from parcellocker.domain.rental import Rental, RentalState
from parcellocker.security.sealing import unseal
from parcellocker.service.ports import Notification, UnitOfWork

STILL_TO_TELL: dict[str, frozenset[RentalState]] = {
    "rental_code": frozenset({RentalState.BOOKED, RentalState.IN_USE}),
    "rental_to_collect": frozenset({RentalState.TO_COLLECT}),
}
"""A rental's message is still worth sending while the rental is in one of these states (else it is dropped)."""


async def rental_message(
    uow: UnitOfWork, library: TemplateLibrary, notification: Notification, seal_key: bytes
) -> Message | None:
    """The message, or None when the rental has moved on and it is not worth sending any more."""
    assert notification.rental_id is not None
    rental = await uow.rentals.get(notification.rental_id)
    if rental is None or rental.state not in STILL_TO_TELL.get(notification.template, frozenset()):
        return None
    locker = await uow.lockers.get(rental.locker_id, with_compartments=False)
    if locker is None:
        return None
    secrets = unseal(seal_key, notification.sealed_payload)
    context = rental_context(notification.language, secrets.get("code", ""), rental, locker)
    subject, text, html = rendered(library, notification, context)
    return Message(
        notification_id=notification.id,
        channel=notification.channel,
        to=notification.address,
        subject=subject,
        text=text,
        shipment_id=rental.id,  # the rental the message is about
        tracking_number="",
        locker_id=locker.id,
        code=secrets.get("code", ""),
        qr_token="",
        pickup_deadline=rental.ends_at,
        language=notification.language,
        html=html,
    )


def rental_context(language: str, code: str, rental: Rental, locker: Locker) -> dict[str, Any]:
    """What every rental template may use (docs/rentals.md lists it)."""
    zone = ZoneInfo(locker.timezone)
    locale = babel_locale(language)
    starts, ends = rental.starts_at.astimezone(zone), rental.ends_at.astimezone(zone)
    return {
        "language": language,
        "renter_name": rental.renter.name or "",
        "code": code,
        "compartment": rental.compartment_number,
        "size": rental.size.value,
        "starts": long_local_time(starts, locale),
        "ends": long_local_time(ends, locale),
        "starts_short": short_local_time(starts, locale),
        "ends_short": short_local_time(ends, locale),
        "locker": {
            "id": locker.id,
            "name": locker.name,
            "address": locker.address,
            "opening_hours": locker.opening_hours,
            "timezone": locker.timezone,
        },
    }
