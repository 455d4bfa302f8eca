"""One locker as an operator watches it: each compartment where it sits in the cabinet, with its size, state, door
and the parcel in it. Cheap enough to be read again every fraction of a second while someone watches."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.cabinet import Placement, arrange
from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import NotFound
from parcellocker.domain.sizes import Size
from parcellocker.service.context import Env
from parcellocker.service.locker_overview import LockerSummary
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork


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
    locker = await uow.lockers.get(cmd.locker_id)
    if locker is None:
        raise NotFound(f"there is no locker {cmd.locker_id}")
    parcels = await uow.shipments.tracking_numbers_in(cmd.locker_id)
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
        )
        for c in locker.compartments
    ]
    return LockerGrid(LockerSummary.of(locker), cells)
