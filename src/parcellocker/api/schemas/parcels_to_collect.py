"""Expired parcels waiting at a locker for a courier of their carrier."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from parcellocker.service.ports import ParcelToCollect


class ParcelToCollectPublic(BaseModel):
    shipment_id: str
    tracking_number: str = Field(examples=["PL123456789"])
    compartment: int = Field(description="The number shown on the door.", examples=[7])
    expired_at: datetime = Field(description="Since when the parcel waits to be taken back (UTC).")

    @classmethod
    def from_domain(cls, parcel: ParcelToCollect) -> ParcelToCollectPublic:
        return cls(
            shipment_id=parcel.shipment_id,
            tracking_number=parcel.tracking_number,
            compartment=parcel.compartment_number,
            expired_at=parcel.expired_at,
        )
