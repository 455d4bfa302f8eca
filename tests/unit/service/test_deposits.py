import pytest

from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.compartment import CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import Conflict, LockerFull, NotFound, ParcelTooLarge
from parcellocker.domain.shipment import ShipmentState
from parcellocker.domain.sizes import Dimensions, Size
from parcellocker.service.deposits import DepositProblem, ReportDepositProblem, report_deposit_problem

from .world import LOCKER, OTHER_LOCKER, World


async def report(world: World, tracking_number: str, problem: DepositProblem) -> int:
    opened = await world.run(
        report_deposit_problem, ReportDepositProblem(world.cast.courier, LOCKER, tracking_number, problem)
    )
    number: int = opened.compartment.number
    return number


async def test_a_courier_gets_the_smallest_free_compartment_the_parcel_fits(world: World) -> None:
    shipment = await world.announce("TRK-1", size=None, dimensions=Dimensions(150, 300, 400))
    opened = await world.deposit("TRK-1")
    assert (opened.compartment.number, opened.compartment.size) == (3, Size.M)
    compartment = world.compartment(3)
    assert (compartment.state, compartment.shipment_id, compartment.pending) == (
        CompartmentState.RESERVED,
        shipment.id,
        PendingAction.DEPOSIT,
    )
    stored = world.shipment(shipment.id)
    assert (stored.state, stored.compartment_id, stored.deposited_size) == (
        ShipmentState.ANNOUNCED,
        "LOCKER-1/3",
        Size.M,
    )
    assert "compartment.opened_for_deposit" in world.audit_actions()


async def test_small_parcels_fill_the_small_compartments_first_then_the_next_size_up(world: World) -> None:
    numbers = []
    for n in range(5):
        await world.announce(f"TRK-{n}")
        numbers.append((await world.deposit(f"TRK-{n}")).compartment.number)
    assert numbers == [1, 2, 3, 4, 5]


async def test_scanning_the_same_parcel_again_opens_the_same_door(world: World) -> None:
    await world.announce("TRK-1")
    first = await world.deposit("TRK-1")
    again = await world.deposit(" TRK-1 ")
    assert again.compartment.id == first.compartment.id
    assert sum(c.state is CompartmentState.RESERVED for c in world.db.compartments.values()) == 1


async def test_a_parcel_for_another_locker_is_refused(world: World) -> None:
    await world.announce("TRK-1")
    with pytest.raises(Conflict, match="meant for locker LOCKER-1"):
        await world.deposit("TRK-1", locker_id=OTHER_LOCKER)
    assert world.compartment(1, OTHER_LOCKER).state is CompartmentState.FREE


async def test_an_unknown_parcel_or_locker_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="announced no parcel 'TRK-404'"):
        await world.deposit("TRK-404")
    with pytest.raises(NotFound, match="there is no locker NOWHERE"):
        await world.deposit("TRK-404", locker_id="NOWHERE")


async def test_a_known_parcel_at_an_unknown_locker_is_told_the_locker_is_not_found(world: World) -> None:
    await world.announce("TRK-1")
    with pytest.raises(NotFound, match="there is no locker NOWHERE"):
        await world.deposit("TRK-1", locker_id="NOWHERE")


async def test_a_courier_cannot_deposit_another_carriers_parcel(world: World) -> None:
    await world.announce("TRK-1", by=world.cast.other_carrier)
    with pytest.raises(NotFound):
        await world.deposit("TRK-1")


async def test_a_parcel_already_stored_is_refused(world: World) -> None:
    await world.store_parcel("TRK-1")
    with pytest.raises(Conflict, match="already stored"):
        await world.deposit("TRK-1")


async def test_a_full_locker_says_so_and_changes_nothing(world: World) -> None:
    for n in range(5):
        await world.announce(f"TRK-{n}")
        await world.deposit(f"TRK-{n}")
    shipment = await world.announce("TRK-LAST")
    before = world.db.copy()
    with pytest.raises(LockerFull, match="no free compartment"):
        await world.deposit("TRK-LAST")
    assert world.db == before
    assert world.shipment(shipment.id).compartment_id is None


async def test_a_large_parcel_does_not_take_a_smaller_compartment(world: World) -> None:
    await world.announce("BIG-1", size=Size.L)
    assert (await world.deposit("BIG-1")).compartment.number == 5
    await world.announce("BIG-2", size=Size.L)
    with pytest.raises(LockerFull, match="tried sizes L, XL"):
        await world.deposit("BIG-2")


async def test_a_parcel_that_does_not_fit_moves_to_the_next_size_and_frees_the_first(world: World) -> None:
    shipment = await world.announce("TRK-1")
    assert (await world.deposit("TRK-1")).compartment.number == 1
    assert await report(world, "TRK-1", DepositProblem.DOES_NOT_FIT) == 3
    assert world.compartment(1).state is CompartmentState.FREE
    assert world.compartment(1).shipment_id is None
    assert world.compartment(3).shipment_id == shipment.id
    assert world.shipment(shipment.id).compartment_id == "LOCKER-1/3"
    assert world.transitions("LOCKER-1/1")[-1].reason == "parcel did not fit"


async def test_a_parcel_that_does_not_fit_twice_goes_up_again(world: World) -> None:
    await world.announce("TRK-1")
    await world.deposit("TRK-1")
    assert await report(world, "TRK-1", DepositProblem.DOES_NOT_FIT) == 3
    assert await report(world, "TRK-1", DepositProblem.DOES_NOT_FIT) == 5


async def test_a_door_that_did_not_open_is_taken_out_of_order_with_an_alarm(world: World) -> None:
    shipment = await world.announce("TRK-1")
    await world.deposit("TRK-1")
    assert await report(world, "TRK-1", DepositProblem.DOOR_DID_NOT_OPEN) == 2
    broken = world.compartment(1)
    assert (broken.state, broken.shipment_id, broken.out_of_order_reason) == (
        CompartmentState.OUT_OF_ORDER,
        None,
        "door did not open during a deposit",
    )
    [alarm] = world.alarms(AlarmKind.OUT_OF_ORDER)
    assert (alarm.locker_id, alarm.compartment_number) == (LOCKER, 1)
    assert "compartment.out_of_order" in world.audit_actions()
    assert world.shipment(shipment.id).compartment_id == "LOCKER-1/2"


async def test_a_door_that_did_not_open_is_kept_out_of_order_even_when_no_other_compartment_is_free(
    world: World,
) -> None:
    shipment = await world.announce("BIG-1", size=Size.L)
    await world.deposit("BIG-1")
    with pytest.raises(LockerFull):
        await report(world, "BIG-1", DepositProblem.DOOR_DID_NOT_OPEN)
    assert world.compartment(5).state is CompartmentState.OUT_OF_ORDER
    assert len(world.alarms(AlarmKind.OUT_OF_ORDER)) == 1
    stored = world.shipment(shipment.id)
    assert (stored.state, stored.compartment_id) == (ShipmentState.ANNOUNCED, None)


async def test_a_parcel_too_large_for_the_largest_compartment_frees_it(world: World) -> None:
    world.db.compartments["LOCKER-1/5"].size = Size.XL  # this locker's largest door is an XL
    shipment = await world.announce("HUGE-1", size=Size.XL)
    assert (await world.deposit("HUGE-1")).compartment.number == 5
    with pytest.raises(ParcelTooLarge, match="does not fit even the largest"):
        await report(world, "HUGE-1", DepositProblem.DOES_NOT_FIT)
    assert world.compartment(5).state is CompartmentState.FREE
    assert world.shipment(shipment.id).compartment_id is None


async def test_a_problem_without_an_open_compartment_is_refused(world: World) -> None:
    await world.announce("TRK-1")
    with pytest.raises(Conflict, match="scan it first"):
        await report(world, "TRK-1", DepositProblem.DOES_NOT_FIT)


async def test_a_problem_after_the_door_closed_on_the_parcel_is_refused(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    with pytest.raises(Conflict, match="already stored"):
        await report(world, "TRK-1", DepositProblem.DOOR_DID_NOT_OPEN)
    assert world.compartment(parcel.compartment_number).state is CompartmentState.OCCUPIED


async def test_a_deposit_is_finished_by_the_door_closing(world: World) -> None:
    await world.announce("TRK-1")
    opened = await world.deposit("TRK-1")
    await world.door(opened.compartment.number, DoorState.OPEN)
    await world.door(opened.compartment.number, DoorState.CLOSED)
    assert world.compartment(opened.compartment.number).state is CompartmentState.OCCUPIED
