"""Operators put a compartment out of order and back into service; both audited, both refused when unsafe."""

import pytest

from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from parcellocker.domain.sizes import Size
from parcellocker.service.maintenance import (
    ReturnCompartmentToService,
    TakeCompartmentOutOfOrder,
    return_compartment_to_service,
    take_compartment_out_of_order,
)

from .world import LOCKER, World


def out_of_order(world: World, number: int, reason: str = "door hinge broken") -> TakeCompartmentOutOfOrder:
    return TakeCompartmentOutOfOrder(world.cast.operator, LOCKER, number, reason)


async def test_a_compartment_goes_out_of_order_and_back_with_its_reason_and_audit_entries(world: World) -> None:
    taken = await world.run(take_compartment_out_of_order, out_of_order(world, 2, "  sticky   lock "))
    assert (taken.state, taken.out_of_order_reason) == (CompartmentState.OUT_OF_ORDER, "sticky lock")
    assert world.compartment(2).state is CompartmentState.OUT_OF_ORDER
    transition = world.transitions(f"{LOCKER}/2")[-1]
    assert (transition.to_state, transition.reason, str(transition.actor)) == (
        "out_of_order",
        "sticky lock",
        "operator:anna",
    )

    back = await world.run(return_compartment_to_service, ReturnCompartmentToService(world.cast.operator, LOCKER, 2))
    assert (back.state, back.out_of_order_reason) == (CompartmentState.FREE, None)
    assert world.audit_actions()[-2:] == ["compartment.out_of_order", "compartment.returned_to_service"]


async def test_a_compartment_out_of_order_is_never_given_to_a_parcel(world: World) -> None:
    await world.run(take_compartment_out_of_order, out_of_order(world, 1))
    await world.announce("TN-1", size=Size.S)
    opened = await world.deposit("TN-1")
    assert opened.compartment.number == 2


async def test_a_compartment_holding_a_parcel_is_refused_with_its_tracking_number(world: World) -> None:
    stored = await world.store_parcel("TN-INSIDE")
    before = world.db.copy()
    with pytest.raises(IllegalTransition, match="holds parcel TN-INSIDE"):
        await world.run(take_compartment_out_of_order, out_of_order(world, stored.compartment_number))
    assert world.db == before


async def test_a_deposit_under_way_is_not_broken_off(world: World) -> None:
    await world.announce("TN-1", size=Size.M)
    opened = await world.deposit("TN-1")
    with pytest.raises(IllegalTransition, match="deposit under way"):
        await world.run(take_compartment_out_of_order, out_of_order(world, opened.compartment.number))
    assert world.compartment(opened.compartment.number).state is CompartmentState.RESERVED


async def test_a_forced_door_can_be_taken_out_of_order_but_returns_only_once_closed(world: World) -> None:
    await world.door(3, DoorState.OPEN)
    await world.run(take_compartment_out_of_order, out_of_order(world, 3, "door forced"))
    back = ReturnCompartmentToService(world.cast.operator, LOCKER, 3)
    with pytest.raises(IllegalTransition, match="door of compartment 3 is open"):
        await world.run(return_compartment_to_service, back)
    await world.door(3, DoorState.CLOSED)
    assert (await world.run(return_compartment_to_service, back)).state is CompartmentState.FREE


@pytest.mark.parametrize(
    ("number", "reason", "error", "says"),
    [
        (9, "broken", NotFound, "has no compartment 9"),
        (1, "   ", InvalidInput, "say why"),
        (1, "x" * 201, InvalidInput, "1 to 200 characters"),
    ],
)
async def test_bad_requests_are_refused_clearly(
    world: World, number: int, reason: str, error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says):
        await world.run(take_compartment_out_of_order, out_of_order(world, number, reason))


async def test_twice_out_of_order_or_back_from_in_service_is_refused(world: World) -> None:
    await world.run(take_compartment_out_of_order, out_of_order(world, 1, "dirty"))
    with pytest.raises(IllegalTransition, match="out of order already \\(dirty\\)"):
        await world.run(take_compartment_out_of_order, out_of_order(world, 1))
    with pytest.raises(IllegalTransition, match="compartment 2 is free"):
        await world.run(return_compartment_to_service, ReturnCompartmentToService(world.cast.operator, LOCKER, 2))


async def test_only_an_operator_does_it(world: World) -> None:
    for someone in (world.cast.carrier, world.cast.courier, world.cast.terminal):
        with pytest.raises(Forbidden):
            await world.run(take_compartment_out_of_order, TakeCompartmentOutOfOrder(someone, LOCKER, 1, "x"))
        with pytest.raises(Forbidden):
            await world.run(return_compartment_to_service, ReturnCompartmentToService(someone, LOCKER, 1))
