"""Parcels to send or return from a locker: what a carrier asks a drop-off code for."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from parcellocker.api.schemas.shipments import DimensionsIn, RecipientIn
from parcellocker.domain.shipment import ShipmentKind
from parcellocker.domain.sizes import ParcelSpec, Size


class DropoffCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tracking_number": "PL555000111",
                    "locker_id": "WAW-CENTRAL-01",
                    "size": "M",
                    "sender": {"email": "jan@example.com", "phone": "+48600300400", "language": "pl"},
                },
                {
                    "tracking_number": "RET-2026-0042",
                    "locker_id": "WAW-CENTRAL-01",
                    "dimensions": {"height_mm": 150, "width_mm": 300, "depth_mm": 400},
                    "sender": {"email": "ola@example.com"},
                    "kind": "return",
                    "valid_for_hours": 72,
                },
            ]
        }
    )

    tracking_number: str = Field(min_length=1, max_length=64, examples=["PL555000111"])
    locker_id: str = Field(min_length=1, max_length=40, examples=["WAW-CENTRAL-01"])
    size: Size | None = Field(default=None, description="The size class; or give the dimensions, or both.")
    dimensions: DimensionsIn | None = None
    sender: RecipientIn = Field(description="Who drops the parcel off: the drop-off code is sent to them.")
    kind: Literal["send", "return"] = Field(
        default="send", description="`send`: a parcel sent from the locker; `return`: a customer returns a parcel."
    )
    valid_for_hours: float | None = Field(
        default=None,
        gt=0,
        le=24 * 90,
        description="How long the code works (at most 90 days); the server's setting when left out (14 days).",
    )

    def parcel(self) -> ParcelSpec:
        return ParcelSpec(self.size, self.dimensions.to_domain() if self.dimensions else None)

    def valid_for(self) -> timedelta | None:
        return None if self.valid_for_hours is None else timedelta(hours=self.valid_for_hours)

    def shipment_kind(self) -> ShipmentKind:
        return ShipmentKind(self.kind)
