"""What recipients are told, and when a message queued earlier is still worth sending."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from parcellocker.domain.shipment import Shipment, ShipmentState


class Notice(StrEnum):
    """The name of a notification's template."""

    PARCEL_STORED = "parcel_stored"
    """The parcel waits: the code, the QR token, the deadline (and the link to extend it)."""
    REMINDER = "reminder"
    """The deadline is near: the same code, a fresh QR token (and the link to extend, if not used yet)."""
    EXPIRED = "expired"
    """The deadline passed: the code no longer works and the parcel goes back."""
    DROPOFF_CODE = "dropoff_code"
    """To the sender of a parcel to send or return: the drop-off code to type at the locker, and until when."""


_STILL_TRUE_IN: dict[str, frozenset[ShipmentState]] = {
    Notice.PARCEL_STORED: frozenset({ShipmentState.STORED}),
    Notice.REMINDER: frozenset({ShipmentState.STORED}),
    Notice.EXPIRED: frozenset({ShipmentState.EXPIRED, ShipmentState.COLLECTED, ShipmentState.RETURNED}),
}


def worth_sending(template: str, queued_at: datetime, shipment: Shipment) -> bool:
    """A message queued at `queued_at` still tells the truth: the shipment is in a state the message is about, and
    it is about the parcel's current stay in its locker (a message about an earlier stay, before a redirect, is
    not); a recipient whose data was erased is told nothing. A drop-off code is sent while it still works (the
    parcel not yet dropped off, nor cancelled)."""
    if template == Notice.DROPOFF_CODE:  # while its code still opens a door for the parcel
        return (
            shipment.state is ShipmentState.ANNOUNCED
            and shipment.dropoff_code_hash is not None
            and not (shipment.recipient.erased)
        )
    states = _STILL_TRUE_IN.get(template, frozenset({ShipmentState.STORED}))
    return (
        shipment.state in states
        and not shipment.recipient.erased
        and shipment.stored_at is not None
        and queued_at >= shipment.stored_at
    )
