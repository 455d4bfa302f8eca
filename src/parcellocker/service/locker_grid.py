"""One locker as an operator watches it: each compartment where it sits in the cabinet, with its size, state, door
and the parcel in it. Cheap enough to be read again every fraction of a second while someone watches."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.cabinet import Placement, arrange
from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import NotFound
from parcellocker.domain.events import Transition
from parcellocker.domain.locker import Locker
from parcellocker.domain.sizes import Size
from parcellocker.service.context import Env
from parcellocker.service.locker_overview import LockerSummary
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork

HISTORY_SHOWN = 20


@dataclass(frozen=True, slots=True)
class CompartmentCell:
    number: int
    size: Size
    state: CompartmentState
    door: DoorState
    tracking_number: str | None
    """Of the parcel it holds, or is open for (a deposit under way)."""
    out_of_order_reason: str | None
    placement: Placement
    reserved_for_carrier_id: str | None = None
    """The carrier whose share of the locker it is in; None: the pool of every carrier."""


@dataclass(frozen=True, slots=True)
class LockerGrid:
    locker: LockerSummary
    cells: list[CompartmentCell]
    """By number."""

    @property
    def columns(self) -> int:
        return 1 + max((cell.placement.column for cell in self.cells), default=-1)


@dataclass(frozen=True, slots=True)
class ReadLockerGrid:
    by: Principal
    locker_id: str


async def read_locker_grid(cmd: ReadLockerGrid, uow: UnitOfWork, env: Env) -> LockerGrid:
    require_role(cmd.by, Role.OPERATOR)
    return await _grid(uow, await _locker(uow, cmd.locker_id))


@dataclass(frozen=True, slots=True)
class CompartmentCard:
    """One compartment as its own page shows it: its cell, and what happened to it lately."""

    locker: LockerSummary
    cell: CompartmentCell
    history: list[Transition]
    """The newest HISTORY_SHOWN transitions, oldest first."""


@dataclass(frozen=True, slots=True)
class ReadCompartmentCard:
    by: Principal
    locker_id: str
    number: int


async def read_compartment_card(cmd: ReadCompartmentCard, uow: UnitOfWork, env: Env) -> CompartmentCard:
    require_role(cmd.by, Role.OPERATOR)
    locker = await _locker(uow, cmd.locker_id)
    compartment = locker.compartment_by_number(cmd.number)
    if compartment is None:
        raise NotFound(f"locker {cmd.locker_id} has no compartment {cmd.number}")
    grid = await _grid(uow, locker)
    cell = next(cell for cell in grid.cells if cell.number == cmd.number)
    history = await uow.history.of_subject("compartment", compartment.id, newest=HISTORY_SHOWN)
    return CompartmentCard(grid.locker, cell, history)


async def _locker(uow: UnitOfWork, locker_id: str) -> Locker:
    locker = await uow.lockers.get(locker_id)
    if locker is None:
        raise NotFound(f"there is no locker {locker_id}")
    return locker


async def _grid(uow: UnitOfWork, locker: Locker) -> LockerGrid:
    parcels = await uow.shipments.tracking_numbers_in(locker.id)
    placements = arrange(((c.number, c.size) for c in locker.compartments), locker.inner_dimensions)
    where = {placement.number: placement for placement in placements}
    cells = [
        CompartmentCell(
            c.number,
            c.size,
            c.state,
            c.door,
            parcels.get(c.number),
            c.out_of_order_reason,
            where[c.number],
            c.reserved_for_carrier_id,
        )
        for c in locker.compartments
    ]
    return LockerGrid(LockerSummary.of(locker), cells)
