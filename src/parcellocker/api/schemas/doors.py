"""Opening compartments (deposits, pickups) and what a terminal reports about its doors."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from parcellocker.domain.compartment import DoorState
from parcellocker.domain.shipment import ShipmentState
from parcellocker.domain.sizes import Size
from parcellocker.service.deposits import CompartmentOpened, DepositProblem
from parcellocker.service.door_events import DoorEventApplied


class DepositCreate(BaseModel):
    tracking_number: str = Field(min_length=1, max_length=64, description="As scanned from the label.")
    reachable: bool = Field(
        default=False,
        description="Open a compartment within reach of a person in a wheelchair if one the parcel fits is free "
        "(as for a shipment announced with `reachable_height`); the shipment keeps that wish, so another "
        "compartment after `does_not_fit` or `door_did_not_open` is chosen the same way.",
    )


class DepositProblemCreate(BaseModel):
    tracking_number: str = Field(min_length=1, max_length=64)
    problem: DepositProblem = Field(
        description="`does_not_fit`: try a larger compartment; "
        "`door_did_not_open`: take this one out of order and open another."
    )


class CollectionCreate(BaseModel):
    tracking_number: str = Field(min_length=1, max_length=64, description="As scanned from the label.")


class PickupCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "123456"}, {"qr_token": "PLQR1.eyJz….Mz…"}]})

    code: str | None = Field(default=None, min_length=1, max_length=20, description="The pickup code as typed.")
    qr_token: str | None = Field(default=None, min_length=1, max_length=2048, description="The scanned QR token.")


class LockerDropoffCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "517093"}]})

    code: str = Field(min_length=1, max_length=20, description="The drop-off code as the sender typed it.")
    reachable: bool = Field(
        default=False, description="Open a compartment within reach if one the parcel fits is free (accessibility)."
    )


class LockerDropoffProblemCreate(BaseModel):
    code: str = Field(min_length=1, max_length=20, description="The drop-off code the compartment was opened for.")
    problem: DepositProblem = Field(
        description="`does_not_fit`: try a larger compartment; "
        "`door_did_not_open`: take this one out of order and open another."
    )


class PickupReopenCreate(BaseModel):
    shipment_id: str = Field(min_length=1, max_length=64, description="The parcel just picked up.")
    compartment: int = Field(ge=1, le=100_000, description="The compartment it was picked up from.")


class CompartmentReopenedPublic(BaseModel):
    compartment: int = Field(description="The number shown on the door: open it again now.", examples=[7])
    shipment_id: str


class ShipmentRef(BaseModel):
    id: str
    tracking_number: str
    state: ShipmentState


class DoorToOpen(BaseModel):
    number: int = Field(description="The number shown on the door.", examples=[7])
    size: Size
    board: int = Field(description="Address of the lock-control board.", examples=[0])
    channel: int = Field(description="Lock channel on that board, from 1.", examples=[7])
    reachable: bool = Field(description="Within reach of a person in a wheelchair.", examples=[False])


class CompartmentToOpen(BaseModel):
    """The compartment the terminal must open now, and the parcel it is for."""

    locker_id: str
    compartment: DoorToOpen
    shipment: ShipmentRef

    @classmethod
    def from_domain(cls, opened: CompartmentOpened) -> CompartmentToOpen:
        compartment, shipment = opened.compartment, opened.shipment
        return cls(
            locker_id=compartment.locker_id,
            compartment=DoorToOpen(
                number=compartment.number,
                size=compartment.size,
                board=compartment.board,
                channel=compartment.channel,
                reachable=compartment.reachable,
            ),
            shipment=ShipmentRef(id=shipment.id, tracking_number=shipment.tracking_number, state=shipment.state),
        )


class DoorEventCreate(BaseModel):
    compartment: int = Field(ge=1, le=100_000, description="The number shown on the door.", examples=[7])
    state: DoorState = Field(examples=["closed"])
    seq: int = Field(ge=0, lt=2**62, description="Counted up by the terminal for each event; applied once.")


class DoorEventPublic(BaseModel):
    seq: int
    compartment: int
    state: DoorState
    outcome: Literal[
        "recorded", "parcel_stored", "parcel_dropped_off", "parcel_picked_up", "parcel_collected", "forced_door"
    ]
    shipment_id: str | None
    shipment_state: ShipmentState | None
    replayed: bool = Field(description="True when this seq had been applied before: nothing changed now.")

    @classmethod
    def from_domain(cls, applied: DoorEventApplied) -> DoorEventPublic:
        return cls.model_validate(
            {
                "seq": applied.seq,
                "compartment": applied.compartment_number,
                "state": applied.door,
                "outcome": applied.outcome,
                "shipment_id": applied.shipment_id,
                "shipment_state": applied.shipment_state,
                "replayed": applied.replayed,
            }
        )
