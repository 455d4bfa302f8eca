"""Carriers' shares of a locker: compartments set aside for one carrier at a site that several serve."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from parcellocker.domain.carrier_shares import MAX_SHARE, CarrierShare
from parcellocker.domain.sizes import Size

CarrierIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The carrier's id.", examples=["fast"])]


class CarrierShareUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"sizes": {"M": 4}}, {"compartments": [3, 4, 5]}, {"compartments": []}]},
    )

    compartments: list[Annotated[int, Field(ge=1, le=100_000)]] | None = Field(
        default=None,
        max_length=MAX_SHARE,
        description="Exactly these compartments (by the number on the door) make the share; [] gives them all back "
        "to the pool. A compartment in another carrier's share is refused (409): take it out of that share first.",
    )
    sizes: dict[Size, Annotated[int, Field(ge=0, le=MAX_SHARE)]] | None = Field(
        default=None,
        description="This many compartments of each size make the share (sizes left out: none), picked by the "
        "server: those of the share now first, then free, working doors out of reach, lowest number first.",
    )

    @model_validator(mode="after")
    def one_way(self) -> CarrierShareUpdate:
        if (self.compartments is None) == (self.sizes is None):
            raise ValueError("give either `compartments` or `sizes`")
        return self


class CarrierSharePublic(BaseModel):
    carrier_id: str = Field(examples=["fast"])
    compartments: list[int] = Field(description="The compartments of the share, by number.", examples=[[3, 4]])
    sizes: dict[Size, int] = Field(description="How many compartments of each size it holds.", examples=[{"M": 2}])

    @classmethod
    def from_domain(cls, share: CarrierShare) -> CarrierSharePublic:
        return cls(carrier_id=share.carrier_id, compartments=list(share.numbers), sizes=dict(share.sizes))
