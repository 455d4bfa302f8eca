"""The operator's overview of every locker: its link status and its fill level per size."""

import pytest

from parcellocker.domain.compartment import DoorState
from parcellocker.domain.errors import Forbidden, InvalidInput
from parcellocker.domain.locker import LockerStatus
from parcellocker.domain.occupancy import SizeFill
from parcellocker.domain.sizes import Size
from parcellocker.service.locker_overview import ReadLockerOverview, read_locker_overview

from .world import LOCKER, OTHER_LOCKER, World


async def test_every_locker_is_listed_with_its_fill_per_size(world: World) -> None:
    await world.store_parcel("TN-1")
    await world.announce("TN-2", size=Size.M)
    await world.deposit("TN-2")  # the door is open for the courier: reserved, in use
    overview = await world.services.read(read_locker_overview, ReadLockerOverview(world.cast.operator))
    assert [locker.id for locker in overview.lockers] == [LOCKER, OTHER_LOCKER]
    assert overview.next_after is None
    main = overview.lockers[0]
    assert main.fill == [SizeFill(Size.S, 2, 1, 0), SizeFill(Size.M, 2, 1, 0), SizeFill(Size.L, 1, 0, 0)]
    assert (main.compartments, main.in_use, main.status) == (5, 2, LockerStatus.OFFLINE)


async def test_a_locker_shows_the_status_its_terminal_last_reported(world: World) -> None:
    world.db.lockers[LOCKER].status = LockerStatus.ONLINE  # what record_locker_presence keeps (over MQTT)
    overview = await world.services.read(read_locker_overview, ReadLockerOverview(world.cast.operator))
    assert {locker.id: locker.status for locker in overview.lockers} == {
        LOCKER: LockerStatus.ONLINE,
        OTHER_LOCKER: LockerStatus.OFFLINE,
    }


async def test_only_an_operator_sees_the_overview(world: World) -> None:
    await world.door(1, DoorState.OPEN)
    for someone in (world.cast.carrier, world.cast.courier, world.cast.terminal):
        with pytest.raises(Forbidden):
            await world.services.read(read_locker_overview, ReadLockerOverview(someone))


async def test_the_overview_comes_a_page_at_a_time_by_id(world: World) -> None:
    await world.store_parcel("TN-1")
    first = await world.services.read(read_locker_overview, ReadLockerOverview(world.cast.operator, limit=1))
    assert [locker.id for locker in first.lockers] == [LOCKER] and first.next_after == LOCKER
    assert first.lockers[0].fill[0] == SizeFill(Size.S, 2, 1, 0)  # counted as on a page of every locker
    second = await world.services.read(
        read_locker_overview, ReadLockerOverview(world.cast.operator, first.next_after, limit=1)
    )
    assert [locker.id for locker in second.lockers] == [OTHER_LOCKER] and second.next_after is None
    beyond = await world.services.read(read_locker_overview, ReadLockerOverview(world.cast.operator, OTHER_LOCKER))
    assert (beyond.lockers, beyond.next_after) == ([], None)
    with pytest.raises(InvalidInput):
        await world.services.read(read_locker_overview, ReadLockerOverview(world.cast.operator, limit=0))
