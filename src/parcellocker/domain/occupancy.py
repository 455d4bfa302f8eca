"""How full a locker is: its compartments in use (reserved for a deposit under way, or holding a parcel), per size,
now and hour by hour over a past window."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.events import Transition
from parcellocker.domain.sizes import Size

IN_USE = frozenset({CompartmentState.RESERVED, CompartmentState.OCCUPIED})
"""The states in which a compartment counts as used: it cannot be given to another parcel."""
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SizeFill:
    """The compartments of one size of a locker, by what they are doing now."""

    size: Size
    total: int
    in_use: int
    out_of_order: int

    @property
    def free(self) -> int:
        return self.total - self.in_use - self.out_of_order

    @property
    def ratio(self) -> float:
        """In use over all compartments of the size (those out of order count in the total)."""
        return self.in_use / self.total if self.total else 0.0


def fill_by_size(compartments: Iterable[Compartment]) -> list[SizeFill]:
    """One entry for each size the compartments have, smallest size first."""
    totals: dict[Size, list[int]] = {}
    for compartment in compartments:
        counts = totals.setdefault(compartment.size, [0, 0, 0])
        counts[0] += 1
        counts[1] += compartment.state in IN_USE
        counts[2] += compartment.state is CompartmentState.OUT_OF_ORDER
    return [SizeFill(size, *totals[size]) for size in sorted(totals, key=lambda size: size.rank)]


@dataclass(frozen=True, slots=True)
class HourOfUse:
    """How many compartments of one size were in use during one hour (the last one may be cut short by `now`)."""

    start: datetime
    end: datetime
    average_in_use: float
    """Weighted by time: one compartment in use for half the hour counts 0.5."""
    peak_in_use: int


@dataclass(frozen=True, slots=True)
class SizeUse:
    size: Size
    compartments: int
    hours: list[HourOfUse]

    def utilisation(self, hour: HourOfUse) -> float:
        """The share of the size's compartments in use during `hour`, from 0 to 1."""
        return hour.average_in_use / self.compartments if self.compartments else 0.0

    @property
    def average_utilisation(self) -> float:
        """Over the whole window, weighted by the length of each hour."""
        seconds = sum((hour.end - hour.start).total_seconds() for hour in self.hours)
        if not seconds or not self.compartments:
            return 0.0
        used = sum(hour.average_in_use * (hour.end - hour.start).total_seconds() for hour in self.hours)
        return used / seconds / self.compartments


def hourly_use(
    compartments: Iterable[tuple[str, Size, CompartmentState]],
    transitions: Iterable[Transition],
    start: datetime,
    end: datetime,
) -> list[SizeUse]:
    """Per size (smallest first), hour by hour from `start` to `end`, how many compartments were in use.

    `compartments` are (id, size, state at `end`); `transitions` are theirs, at least all of those from `start` on,
    in the order they happened. Undoing them from the states at `end` gives the states at `start`, so nothing
    older than the window is needed, however long the locker has been in use."""
    if end <= start:
        raise ValueError("the window must end after it starts")
    size_of: dict[str, Size] = {}
    state: dict[str, CompartmentState] = {}
    for compartment_id, size, now in compartments:
        size_of[compartment_id], state[compartment_id] = size, now
    inside = [t for t in transitions if t.subject_id in size_of and t.at >= start]
    for transition in reversed(inside):
        if transition.from_state is not None:
            state[transition.subject_id] = CompartmentState(transition.from_state)
    level = {size: 0 for size in size_of.values()}
    for compartment_id, then in state.items():
        level[size_of[compartment_id]] += then in IN_USE
    initial = dict(level)
    changes: dict[Size, list[tuple[datetime, int]]] = {size: [] for size in level}
    for transition in inside:
        compartment_id, size = transition.subject_id, size_of[transition.subject_id]
        was = state[compartment_id] in IN_USE
        state[compartment_id] = CompartmentState(transition.to_state)
        now_in_use = state[compartment_id] in IN_USE
        if was != now_in_use:
            level[size] += 1 if now_in_use else -1
            changes[size].append((transition.at, level[size]))
    bounds = _hour_bounds(start, end)
    totals = {size: sum(1 for s in size_of.values() if s is size) for size in level}
    return [
        SizeUse(size, totals[size], _hours(initial[size], changes[size], bounds))
        for size in sorted(level, key=lambda size: size.rank)
    ]


def _hour_bounds(start: datetime, end: datetime) -> list[datetime]:
    bounds, at = [start], start
    while (at := at + HOUR) < end:
        bounds.append(at)
    return [*bounds, end]


def _hours(level: int, changes: list[tuple[datetime, int]], bounds: list[datetime]) -> list[HourOfUse]:
    """Integrate the number in use (`level` at the first bound, then each change) over each span of `bounds`."""
    hours, pending = [], iter(changes)
    upcoming = next(pending, None)
    for low, high in itertools.pairwise(bounds):
        area, cursor, peak = 0.0, low, level
        while upcoming is not None and upcoming[0] < high:
            at = max(upcoming[0], low)
            area += level * (at - cursor).total_seconds()
            cursor, level = at, upcoming[1]
            peak = max(peak, level)
            upcoming = next(pending, None)
        area += level * (high - cursor).total_seconds()
        hours.append(HourOfUse(low, high, area / (high - low).total_seconds(), peak))
    return hours
