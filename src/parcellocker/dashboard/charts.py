"""The utilisation chart of one size of a locker, drawn on the server as SVG: hour by hour, the share of its
compartments in use (the area) and at the busiest moment of the hour (the line). No chart library, nothing fetched."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from parcellocker.domain.occupancy import SizeUse

WIDTH, HEIGHT = 760, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 10, 30
MAX_DAY_LABELS = 10


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True, slots=True)
class UtilisationChart:
    use: SizeUse
    area: str
    """The SVG path of the hourly average share in use."""
    peak: str
    """The SVG path of the hourly peak share in use."""
    days: list[Tick]
    """x of each local midnight, labelled with the day that begins."""
    levels: list[Tick]
    """y of 0, 25, 50, 75 and 100 %."""
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def summary(self) -> str:
        peak = max((hour.peak_in_use for hour in self.use.hours), default=0)
        return (
            f"Size {self.use.size}: on average {self.use.average_utilisation:.0%} of its {self.use.compartments} "
            f"compartments in use; at the busiest moment {peak} of them."
        )

    @classmethod
    def of(cls, use: SizeUse, start: datetime, end: datetime, timezone: str) -> UtilisationChart:
        span = (end - start).total_seconds()

        def x(moment: datetime) -> float:
            return round(LEFT + (WIDTH - LEFT - RIGHT) * (moment - start).total_seconds() / span, 1)

        def y(share: float) -> float:
            return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * share, 1)

        share = use.utilisation
        total = use.compartments or 1
        area = [f"M{x(start)},{y(0)}"]
        peak: list[str] = []
        for hour in use.hours:
            area.append(f"L{x(hour.start)},{y(share(hour))}L{x(hour.end)},{y(share(hour))}")
            step = y(hour.peak_in_use / total)
            peak.append(f"{'L' if peak else 'M'}{x(hour.start)},{step}L{x(hour.end)},{step}")
        area.append(f"L{x(end)},{y(0)}Z")
        levels = [Tick(y(level / 4), f"{level * 25}%") for level in range(5)]
        return cls(use, "".join(area), "".join(peak), _midnights(start, end, timezone, x), levels)


def _midnights(start: datetime, end: datetime, timezone: str, x: Callable[[datetime], float]) -> list[Tick]:
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone).date() + timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((end.astimezone(zone).date() - first).days + 1)]
    every = max(1, math.ceil(len(days) / MAX_DAY_LABELS))
    ticks = []
    for number, day in enumerate(days):
        midnight = datetime.combine(day, time(0), zone)
        label = f"{midnight:%a} {midnight.day} {midnight:%b}" if number % every == 0 else ""
        ticks.append(Tick(x(midnight), label))
    return ticks
