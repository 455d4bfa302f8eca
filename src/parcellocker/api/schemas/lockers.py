"""Lockers and their compartments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from parcellocker.domain.compartment import Compartment, CompartmentState, DoorState
from parcellocker.domain.locker import ALWAYS_OPEN, Locker, LockerStatus
from parcellocker.domain.sizes import Size

LockerIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The locker's id.", examples=["DEMO-1"])]


class CompartmentPublic(BaseModel):
    number: int = Field(description="The number shown on the door.", examples=[7])
    size: Size
    state: CompartmentState
    door: DoorState
    board: int = Field(description="Address of the lock-control board.", examples=[0])
    channel: int = Field(description="Lock channel on that board, from 1.", examples=[7])
    out_of_order_reason: str | None = None
    reachable: bool = Field(
        description="Within reach of a person in a wheelchair: the compartment's floor is 380 to 1,220 mm above the "
        "ground (the doors stand in columns, in number order from the top). Offered first to recipients who need "
        "it, and last to others.",
        examples=[False],
    )
    reserved_for_carrier_id: str | None = Field(
        default=None,
        description="The carrier whose share of the locker it is in: only that carrier's parcels go in it. Null: the "
        "pool every carrier shares. Carriers and couriers are not shown the compartments of other carriers' shares.",
        examples=[None],
    )

    @classmethod
    def from_domain(cls, compartment: Compartment) -> CompartmentPublic:
        return cls(
            number=compartment.number,
            size=compartment.size,
            state=compartment.state,
            door=compartment.door,
            board=compartment.board,
            channel=compartment.channel,
            out_of_order_reason=compartment.out_of_order_reason,
            reachable=compartment.reachable,
            reserved_for_carrier_id=compartment.reserved_for_carrier_id,
        )


class LockerCreate(BaseModel):
    locker_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Chosen id; one is made up when left out.",
        examples=["WAW-CENTRAL-01"],
    )
    name: str = Field(min_length=1, max_length=200, examples=["Warszawa Centralna, hall B"])
    address: str = Field(default="", max_length=500, examples=["Aleje Jerozolimskie 54, 00-024 Warszawa"])
    layout: str = Field(
        min_length=3,
        max_length=200,
        description="Sizes and counts, numbered in this order from 1.",
        examples=["S:8,M:6,L:4"],
    )
    timezone: str = Field(default="UTC", max_length=64, examples=["Europe/Warsaw"])
    latitude: float | None = Field(default=None, ge=-90, le=90, examples=[52.2289])
    longitude: float | None = Field(default=None, ge=-180, le=180, examples=[21.0032])
    locks_per_board: int = Field(default=16, ge=1, le=64, description="Locks wired to each board, in order.")
    first_board: int = Field(default=0, ge=0, le=255, description="Address of the first board.")
    opening_hours: str = Field(
        default=ALWAYS_OPEN,
        min_length=1,
        max_length=200,
        description="When people can reach the locker, as the recipients' messages say it.",
        examples=["24/7", "Mon-Sat 6:00-22:00"],
    )


class LockerPublic(BaseModel):
    id: str = Field(examples=["WAW-CENTRAL-01"])
    name: str
    address: str
    timezone: str
    latitude: float | None
    longitude: float | None
    status: LockerStatus = Field(
        description="online while its terminal's MQTT link says so, or while its terminal is seen on the HTTP link "
        "(a request within the server's PARCELLOCKER_LINK_SILENCE_SECONDS); offline else."
    )
    last_seen_at: datetime | None = Field(
        description="When its terminal was last seen on the HTTP link, kept to within a few seconds (UTC); null "
        "when never, or when its MQTT link tells its presence."
    )
    opening_hours: str = Field(examples=["24/7"])
    free_compartments: dict[Size, int] = Field(description="How many compartments of each size are free now.")
    compartments: list[CompartmentPublic]

    @classmethod
    def from_domain(cls, locker: Locker) -> LockerPublic:
        free: dict[Size, int] = {}
        for compartment in locker.compartments:
            free.setdefault(compartment.size, 0)
            if compartment.state is CompartmentState.FREE:
                free[compartment.size] += 1
        return cls(
            id=locker.id,
            name=locker.name,
            address=locker.address,
            timezone=locker.timezone,
            latitude=locker.latitude,
            longitude=locker.longitude,
            status=locker.status,
            last_seen_at=locker.last_seen_at,
            opening_hours=locker.opening_hours,
            free_compartments=free,
            compartments=[CompartmentPublic.from_domain(c) for c in locker.compartments],
        )


class LockerCreated(LockerPublic):
    terminal_key: str | None = Field(
        description="The key of this locker's terminal. Shown only in the first reply and kept only as a hash; "
        "a replayed request (same Idempotency-Key) answers null here.",
        examples=["plt_4mJq…"],
    )


class OutOfOrderCreate(BaseModel):
    reason: str = Field(
        min_length=1,
        max_length=200,
        description="Why no parcel may go in it (shown to operators).",
        examples=["door hinge broken"],
    )
