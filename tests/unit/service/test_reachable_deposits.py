"""Deposits at reachable height, through the use cases and the fakes.

The locker "S:8,M:6,L:4" stands in columns from the top (domain/cabinet.py): within reach are S 7-8, M 9-11 and
L 15-16; out of reach S 1-6, M 12-14 and L 17-18.
"""

import pytest

from parcellocker.domain.errors import LockerFull
from parcellocker.domain.shipment import Shipment
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.service.deposits import (
    CompartmentOpened,
    DepositParcel,
    DepositProblem,
    ReportDepositProblem,
    deposit_parcel,
    report_deposit_problem,
)
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.shipments import AnnounceShipment, announce_shipment

from .world import RECIPIENT, World

TALL = "LOCKER-TALL"
WITHIN_REACH = {7, 8, 9, 10, 11, 15, 16}


@pytest.fixture
async def tall(world: World) -> World:
    await world.run(add_locker, AddLocker(world.cast.operator, "Tall", "Station 2", "S:8,M:6,L:4", TALL))
    return world


async def announce(world: World, tracking_number: str, *, reachable_height: bool = False) -> Shipment:
    command = AnnounceShipment(
        world.cast.carrier, tracking_number, TALL, ParcelSpec(Size.S), RECIPIENT, reachable_height=reachable_height
    )
    shipment: Shipment = await world.run(announce_shipment, command)
    return shipment


async def deposit(world: World, tracking_number: str, *, reachable: bool = False) -> int:
    opened: CompartmentOpened = await world.run(
        deposit_parcel, DepositParcel(world.cast.courier, TALL, tracking_number, reachable)
    )
    return opened.compartment.number


async def report(world: World, tracking_number: str, problem: DepositProblem) -> int:
    command = ReportDepositProblem(world.cast.courier, TALL, tracking_number, problem)
    opened: CompartmentOpened = await world.run(report_deposit_problem, command)
    return opened.compartment.number


async def test_a_new_locker_knows_which_of_its_doors_are_within_reach(tall: World) -> None:
    within = {c.number for c in tall.db.compartments.values() if c.locker_id == TALL and c.reachable}
    assert within == WITHIN_REACH


async def test_a_shipment_announced_with_reachable_height_opens_a_door_within_reach(tall: World) -> None:
    shipment = await announce(tall, "TRK-1", reachable_height=True)
    assert tall.shipment(shipment.id).reachable_height is True
    assert await deposit(tall, "TRK-1") == 7


async def test_a_deposit_that_asks_for_reach_opens_a_door_within_reach_and_the_shipment_keeps_the_wish(
    tall: World,
) -> None:
    shipment = await announce(tall, "TRK-1")
    assert await deposit(tall, "TRK-1", reachable=True) == 7
    assert tall.shipment(shipment.id).reachable_height is True


async def test_nobody_asking_fills_the_doors_out_of_reach_of_a_size_first(tall: World) -> None:
    numbers = []
    for n in range(9):
        await announce(tall, f"TRK-{n}")
        numbers.append(await deposit(tall, f"TRK-{n}"))
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 8, 12]  # the size first: S within reach before M out of reach


async def test_with_the_small_doors_within_reach_taken_a_larger_one_within_reach_is_opened(tall: World) -> None:
    for n in (1, 2):
        await announce(tall, f"TRK-{n}", reachable_height=True)
        await deposit(tall, f"TRK-{n}")
    await announce(tall, "TRK-3", reachable_height=True)
    assert await deposit(tall, "TRK-3") == 9


async def test_with_no_door_within_reach_free_the_smallest_other_door_is_opened(tall: World) -> None:
    for number in WITHIN_REACH:
        tall.compartment(number, TALL).take_out_of_order(tall.clock.now(), tall.cast.operator.actor, "test")
    await announce(tall, "TRK-1", reachable_height=True)
    assert await deposit(tall, "TRK-1") == 1


async def test_does_not_fit_keeps_the_wish_announced(tall: World) -> None:
    await announce(tall, "TRK-1", reachable_height=True)
    assert await deposit(tall, "TRK-1") == 7
    assert await report(tall, "TRK-1", DepositProblem.DOES_NOT_FIT) == 9
    assert await report(tall, "TRK-1", DepositProblem.DOES_NOT_FIT) == 15


async def test_door_did_not_open_keeps_the_wish_asked_for_at_the_deposit(tall: World) -> None:
    await announce(tall, "TRK-1")
    assert await deposit(tall, "TRK-1", reachable=True) == 7
    assert await report(tall, "TRK-1", DepositProblem.DOOR_DID_NOT_OPEN) == 8
    assert await report(tall, "TRK-1", DepositProblem.DOES_NOT_FIT) == 9


async def test_without_the_wish_does_not_fit_opens_a_larger_door_out_of_reach(tall: World) -> None:
    await announce(tall, "TRK-1")
    assert await deposit(tall, "TRK-1") == 1
    assert await report(tall, "TRK-1", DepositProblem.DOOR_DID_NOT_OPEN) == 2
    assert await report(tall, "TRK-1", DepositProblem.DOES_NOT_FIT) == 12


async def test_asking_for_reach_at_a_full_locker_changes_nothing(tall: World) -> None:
    for compartment in [c for c in tall.db.compartments.values() if c.locker_id == TALL]:
        compartment.take_out_of_order(tall.clock.now(), tall.cast.operator.actor, "test")
    shipment = await announce(tall, "TRK-1")
    with pytest.raises(LockerFull):
        await deposit(tall, "TRK-1", reachable=True)
    assert tall.shipment(shipment.id).reachable_height is False
