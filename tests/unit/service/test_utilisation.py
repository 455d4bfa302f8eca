"""A locker's utilisation per size and hour over the last days, from its compartments' kept transitions."""

from datetime import timedelta

import pytest

from parcellocker.domain.compartment import DoorState
from parcellocker.domain.errors import Forbidden, InvalidInput, NotFound
from parcellocker.domain.sizes import Size
from parcellocker.service.utilisation import ReadUtilisation, read_utilisation

from .world import LOCKER, World


async def test_a_parcel_kept_two_hours_shows_in_its_sizes_hours(world: World) -> None:
    world.clock.advance(timedelta(minutes=55))  # 09:00 on the dot
    stored = await world.store_parcel("TN-1", size=Size.M)
    world.clock.advance(timedelta(hours=2))
    await world.pick_up(code=stored.code)
    await world.door(stored.compartment_number, DoorState.CLOSED)
    world.clock.advance(timedelta(minutes=30))  # 11:30

    read = await world.services.read(read_utilisation, ReadUtilisation(world.cast.operator, LOCKER, days=1))

    assert (read.start, read.end) == (world.clock.now().replace(minute=0) - timedelta(days=1), world.clock.now())
    small, medium, large = read.sizes
    assert [size.compartments for size in read.sizes] == [2, 2, 1]
    assert len(medium.hours) == 25 and medium.hours[-1].end == world.clock.now()
    in_use = {hour.start.hour: hour.average_in_use for hour in medium.hours if hour.average_in_use}
    assert in_use == {9: 1.0, 10: 1.0}
    assert medium.utilisation(medium.hours[-3]) == 0.5
    assert not any(hour.peak_in_use for hour in small.hours + large.hours)


async def test_the_window_is_one_to_31_days_of_a_known_locker_for_operators(world: World) -> None:
    with pytest.raises(InvalidInput, match="1 to 31 days"):
        await world.services.read(read_utilisation, ReadUtilisation(world.cast.operator, LOCKER, days=0))
    with pytest.raises(NotFound):
        await world.services.read(read_utilisation, ReadUtilisation(world.cast.operator, "NOPE"))
    with pytest.raises(Forbidden):
        await world.services.read(read_utilisation, ReadUtilisation(world.cast.carrier, LOCKER))
