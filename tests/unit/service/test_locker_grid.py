"""One locker's grid as an operator watches it: each compartment's place, state, door and parcel."""

import pytest

from parcellocker.domain.cabinet import arrange
from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import Forbidden, NotFound
from parcellocker.domain.sizes import Size
from parcellocker.service.locker_grid import LockerGrid, ReadLockerGrid, read_locker_grid

from .world import LOCKER, World


async def grid_of(world: World, locker_id: str = LOCKER) -> LockerGrid:
    return await world.services.read(read_locker_grid, ReadLockerGrid(world.cast.operator, locker_id))


async def test_each_cell_shows_its_compartments_state_door_and_parcel(world: World) -> None:
    stored = await world.store_parcel("TN-STORED")
    await world.announce("TN-COMING", size=Size.M)
    opened = await world.deposit("TN-COMING")
    await world.door(opened.compartment.number, DoorState.OPEN)

    grid = await grid_of(world)

    cells = {cell.number: (cell.state, cell.door, cell.tracking_number) for cell in grid.cells}
    assert cells == {
        stored.compartment_number: (CompartmentState.OCCUPIED, DoorState.CLOSED, "TN-STORED"),
        2: (CompartmentState.FREE, DoorState.CLOSED, None),
        opened.compartment.number: (CompartmentState.RESERVED, DoorState.OPEN, "TN-COMING"),
        4: (CompartmentState.FREE, DoorState.CLOSED, None),
        5: (CompartmentState.FREE, DoorState.CLOSED, None),
    }
    assert [size.in_use for size in grid.locker.fill] == [1, 1, 0]


async def test_cells_are_placed_as_the_cabinet_arranges_its_doors(world: World) -> None:
    grid = await grid_of(world)
    expected = arrange([(1, Size.S), (2, Size.S), (3, Size.M), (4, Size.M), (5, Size.L)])
    assert [cell.placement for cell in grid.cells] == expected
    assert grid.columns == 1 + max(p.column for p in expected)


async def test_an_unknown_locker_is_not_found_and_only_operators_look(world: World) -> None:
    with pytest.raises(NotFound, match="no locker NOPE"):
        await grid_of(world, "NOPE")
    with pytest.raises(Forbidden):
        await world.services.read(read_locker_grid, ReadLockerGrid(world.cast.terminal, LOCKER))
