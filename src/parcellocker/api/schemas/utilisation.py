"""A locker's utilisation per size and hour."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from parcellocker.domain.occupancy import SizeUse
from parcellocker.domain.sizes import Size
from parcellocker.service.utilisation import Utilisation


class HourOfUsePublic(BaseModel):
    start: datetime
    end: datetime = Field(description="An hour later, or when it was read for the last one.")
    average_in_use: float = Field(description="Compartments in use, averaged over the hour.", examples=[2.5])
    peak_in_use: int = Field(description="Compartments in use at the busiest moment of the hour.", examples=[3])
    utilisation: float = Field(description="average_in_use over the size's compartments, 0 to 1.", examples=[0.3125])


class SizeUsePublic(BaseModel):
    size: Size
    compartments: int
    average_utilisation: float = Field(description="Over the whole window, 0 to 1.")
    hours: list[HourOfUsePublic]

    @classmethod
    def from_domain(cls, use: SizeUse) -> SizeUsePublic:
        return cls(
            size=use.size,
            compartments=use.compartments,
            average_utilisation=use.average_utilisation,
            hours=[
                HourOfUsePublic(
                    start=hour.start,
                    end=hour.end,
                    average_in_use=hour.average_in_use,
                    peak_in_use=hour.peak_in_use,
                    utilisation=use.utilisation(hour),
                )
                for hour in use.hours
            ],
        )


class UtilisationPublic(BaseModel):
    locker_id: str
    start: datetime = Field(description="On a whole hour, `days` days back.")
    end: datetime = Field(description="When it was read.")
    sizes: list[SizeUsePublic]

    @classmethod
    def from_domain(cls, read: Utilisation) -> UtilisationPublic:
        return cls(
            locker_id=read.locker.id,
            start=read.start,
            end=read.end,
            sizes=[SizeUsePublic.from_domain(use) for use in read.sizes],
        )
