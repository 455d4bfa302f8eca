"""Parcels waiting at a locker for a courier of their carrier: expired, redirected to another locker, or dropped off
by their senders (to send or return)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from parcellocker.service.ports import ParcelToCollect


class ParcelToCollectPublic(BaseModel):
    shipment_id: str
    tracking_number: str = Field(examples=["PL123456789"])
    compartment: int = Field(description="The number shown on the door.", examples=[7])
    expired_at: datetime = Field(
        description="Since when the parcel waits to be taken out (UTC): when it expired, was redirected, or was "
        "dropped off."
    )
    state: Literal["expired", "redirected", "dropped_off"] = Field(
        description="Expired (it goes back to the sender), redirected (it goes to another locker) or dropped off "
        "by its sender (the carrier takes it on)."
    )
    kind: Literal["delivery", "send", "return"] = Field(
        default="delivery", description="A delivery, a parcel sent from the locker, or a parcel returned there."
    )

    @classmethod
    def from_domain(cls, parcel: ParcelToCollect) -> ParcelToCollectPublic:
        return cls(
            shipment_id=parcel.shipment_id,
            tracking_number=parcel.tracking_number,
            compartment=parcel.compartment_number,
            expired_at=parcel.expired_at,
            state=parcel.state,
            kind=parcel.kind,
        )
