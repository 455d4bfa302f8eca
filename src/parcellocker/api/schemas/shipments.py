"""Shipments: what a carrier announces and what anyone allowed may see of it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from parcellocker.domain.shipment import Recipient, Shipment, ShipmentKind, ShipmentState
from parcellocker.domain.sizes import Dimensions, ParcelSpec, Size


class DimensionsIn(BaseModel):
    height_mm: int = Field(gt=0, le=10_000, examples=[150])
    width_mm: int = Field(gt=0, le=10_000, examples=[300])
    depth_mm: int = Field(gt=0, le=10_000, examples=[400])

    def to_domain(self) -> Dimensions:
        return Dimensions(self.height_mm, self.width_mm, self.depth_mm)


class RecipientIn(BaseModel):
    email: str | None = Field(default=None, max_length=254, examples=["ola@example.com"])
    phone: str | None = Field(default=None, max_length=32, examples=["+48 600 100 200"])
    name: str | None = Field(default=None, max_length=200, examples=["Ola Nowak"])
    language: str = Field(default="en", pattern=r"^[a-z]{2}$", description="For the message: en or pl.")

    def to_domain(self) -> Recipient:
        return Recipient(email=self.email, phone=self.phone, name=self.name, language=self.language)


class ShipmentCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tracking_number": "PL123456789",
                    "locker_id": "WAW-CENTRAL-01",
                    "size": "M",
                    "recipient": {"email": "ola@example.com", "phone": "+48600100200", "language": "pl"},
                },
                {
                    "tracking_number": "PL987654321",
                    "locker_id": "WAW-CENTRAL-01",
                    "dimensions": {"height_mm": 150, "width_mm": 300, "depth_mm": 400},
                    "recipient": {"email": "ola@example.com"},
                },
            ]
        }
    )

    tracking_number: str = Field(min_length=1, max_length=64, examples=["PL123456789"])
    locker_id: str = Field(min_length=1, max_length=40, examples=["WAW-CENTRAL-01"])
    size: Size | None = Field(default=None, description="The size class; or give the dimensions, or both.")
    dimensions: DimensionsIn | None = None
    recipient: RecipientIn
    reachable_height: bool = Field(
        default=False,
        description="The recipient needs a compartment within reach (e.g. uses a wheelchair): the courier's deposit "
        "opens one within reach if one of a size the parcel fits is free, and another one only when none is.",
    )

    def parcel(self) -> ParcelSpec:
        return ParcelSpec(self.size, self.dimensions.to_domain() if self.dimensions else None)


class DimensionsPublic(BaseModel):
    height_mm: int
    width_mm: int
    depth_mm: int


class RecipientPublic(BaseModel):
    email: str | None
    phone: str | None
    name: str | None
    language: str


class RedirectCreate(BaseModel):
    to_locker_id: str = Field(
        min_length=1, max_length=64, description="The locker to send the parcel to.", examples=["WAW-NORTH-02"]
    )


class ShipmentPublic(BaseModel):
    id: str = Field(examples=["5f0c6a3e-9b1d-4a43-9d0e-3c2b8f1a7e55"])
    tracking_number: str
    carrier_id: str
    locker_id: str
    state: ShipmentState
    kind: ShipmentKind = Field(
        description="`delivery`: a courier deposits it for its recipient; `send` or `return`: its sender drops it off "
        "at the locker with a drop-off code, and `recipient` is that sender (docs/dropoffs.md)."
    )
    size: Size | None = Field(description="The size class announced, if any.")
    dimensions: DimensionsPublic | None
    deposited_size: Size | None = Field(description="The size of the compartment the parcel went into.")
    compartment_id: str | None
    recipient: RecipientPublic
    created_at: datetime
    stored_at: datetime | None
    pickup_deadline: datetime | None
    picked_up_at: datetime | None
    reachable_height: bool = Field(
        description="The recipient needs a compartment within reach: announced so by the carrier, or asked for by "
        "the courier's deposit (`reachable`)."
    )
    extensions: int = Field(description="How many times the pickup deadline was extended (once at most).")
    redirect_to_locker_id: str | None = Field(
        description="Redirected: the locker the parcel goes to once a courier has collected it."
    )
    ended_at: datetime | None = Field(description="When the shipment ended (picked up, returned, cancelled, ...).")
    personal_data_erased_at: datetime | None = Field(
        description="When the recipient's e-mail, phone and name were erased, some time after the shipment ended."
    )
    dropoff_code_expires_at: datetime | None = Field(
        default=None, description="A parcel to send or return: until when its sender's drop-off code works."
    )

    @classmethod
    def from_domain(cls, shipment: Shipment) -> ShipmentPublic:
        dims = shipment.parcel.dimensions
        recipient = shipment.recipient
        return cls(
            id=shipment.id,
            tracking_number=shipment.tracking_number,
            carrier_id=shipment.carrier_id,
            locker_id=shipment.locker_id,
            state=shipment.state,
            kind=shipment.kind,
            size=shipment.parcel.size,
            dimensions=DimensionsPublic(height_mm=dims.height_mm, width_mm=dims.width_mm, depth_mm=dims.depth_mm)
            if dims
            else None,
            deposited_size=shipment.deposited_size,
            compartment_id=shipment.compartment_id,
            recipient=RecipientPublic(
                email=recipient.email, phone=recipient.phone, name=recipient.name, language=recipient.language
            ),
            created_at=shipment.created_at,
            stored_at=shipment.stored_at,
            pickup_deadline=shipment.pickup_deadline,
            picked_up_at=shipment.picked_up_at,
            reachable_height=shipment.reachable_height,
            extensions=shipment.extensions,
            redirect_to_locker_id=shipment.redirect_to_locker_id,
            ended_at=shipment.ended_at,
            personal_data_erased_at=shipment.personal_data_erased_at,
            dropoff_code_expires_at=shipment.dropoff_code_expires_at,
        )
