"""Two carriers at one locker, through the use cases and the fakes: an operator sets each a share, deposits keep to
the shares, and neither carrier's courier sees or opens the other's parcels or compartments."""

import dataclasses
from datetime import timedelta

import pytest

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.carrier_shares import CarrierShare
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.errors import Conflict, Forbidden, InvalidInput, LockerFull, NotFound
from parcellocker.domain.shipment import Shipment
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.service.carrier_shares import (
    ReadCarrierShares,
    SetCarrierShare,
    read_carrier_shares,
    set_carrier_share,
)
from parcellocker.service.deposits import (
    CompartmentOpened,
    DepositParcel,
    DepositProblem,
    ReportDepositProblem,
    deposit_parcel,
    report_deposit_problem,
)
from parcellocker.service.locker_grid import ReadLockerGrid, read_locker_grid
from parcellocker.service.lockers import AddLocker, GetLocker, ListLockers, add_locker, get_locker, list_lockers
from parcellocker.service.pickups import ReopenAfterPickup, ReopenRefused, reopen_after_pickup
from parcellocker.service.shipments import AnnounceShipment, announce_shipment

from .world import RECIPIENT, World

SITE = "LOCKER-SHARED"  # S 1-4, M 5-8, L 9-10


@pytest.fixture
async def site(world: World) -> World:
    await world.run(add_locker, AddLocker(world.cast.operator, "Station", "Station 1", "S:4,M:4,L:2", SITE))
    return world


def slow_courier(world: World) -> Principal:
    return Principal(Role.COURIER, "ola", carrier_id=world.cast.other_carrier.id)


async def share(world: World, carrier: Principal, **how: object) -> CarrierShare:
    assert carrier.carrier_id is not None
    command = SetCarrierShare(world.cast.operator, SITE, carrier.carrier_id, **how)  # type: ignore[arg-type]
    found: CarrierShare = await world.run(set_carrier_share, command)
    return found


async def announce(world: World, tracking_number: str, carrier: Principal, size: Size = Size.S) -> Shipment:
    command = AnnounceShipment(carrier, tracking_number, SITE, ParcelSpec(size), RECIPIENT)
    shipment: Shipment = await world.run(announce_shipment, command)
    return shipment


async def deposit(world: World, tracking_number: str, courier: Principal) -> int:
    opened: CompartmentOpened = await world.run(deposit_parcel, DepositParcel(courier, SITE, tracking_number))
    return opened.compartment.number


async def test_an_operator_sets_a_share_by_sizes_or_by_numbers_and_it_is_audited(site: World) -> None:
    fast, slow = site.cast.carrier, site.cast.other_carrier
    assert await share(site, fast, sizes={Size.M: 2}) == CarrierShare("fast", (5, 6), {Size.M: 2})
    assert await share(site, slow, numbers=(9, 7)) == CarrierShare("slow", (7, 9), {Size.M: 1, Size.L: 1})
    assert await share(site, fast, sizes={Size.M: 3}) == CarrierShare("fast", (5, 6, 8), {Size.M: 3})

    shares = await site.services.read(read_carrier_shares, ReadCarrierShares(site.cast.operator, SITE))
    assert [(s.carrier_id, s.numbers) for s in shares] == [("fast", (5, 6, 8)), ("slow", (7, 9))]
    own = await site.services.read(read_carrier_shares, ReadCarrierShares(slow_courier(site), SITE))
    assert [(s.carrier_id, s.numbers) for s in own] == [("slow", (7, 9))]
    entry = site.db.audit[-1].record
    assert (entry.action, entry.subject, dict(entry.details)) == (
        "locker.carrier_share",
        SITE,
        {"carrier": "fast", "compartments": "5,6,8"},
    )
    assert await share(site, fast, numbers=()) == CarrierShare("fast")
    assert site.compartment(5, SITE).reserved_for_carrier_id is None


async def test_shares_are_refused_clearly(site: World) -> None:
    fast = site.cast.carrier
    await share(site, site.cast.other_carrier, numbers=(9,))
    with pytest.raises(Conflict, match="compartment 9 is in the share of carrier slow"):
        await share(site, fast, numbers=(8, 9))
    with pytest.raises(Conflict, match="not enough for 2"):
        await share(site, fast, sizes={Size.L: 2})
    with pytest.raises(InvalidInput, match="either"):
        await share(site, fast, numbers=(1,), sizes={Size.S: 1})
    with pytest.raises(NotFound, match="no carrier nobody"):
        await site.run(set_carrier_share, SetCarrierShare(site.cast.operator, SITE, "nobody", numbers=(1,)))
    with pytest.raises(NotFound, match="no locker"):
        await site.run(set_carrier_share, SetCarrierShare(site.cast.operator, "NOWHERE", "fast", numbers=(1,)))
    for someone in (site.cast.carrier, site.cast.courier, site.cast.terminal):
        with pytest.raises(Forbidden):
            await site.run(set_carrier_share, SetCarrierShare(someone, SITE, "fast", numbers=(1,)))
    with pytest.raises(Forbidden):
        await site.services.read(read_carrier_shares, ReadCarrierShares(site.cast.terminal, SITE))


async def test_deposits_go_into_the_carriers_share_then_the_pool_and_never_into_the_other_carriers_share(
    site: World,
) -> None:
    fast, slow = site.cast.carrier, site.cast.other_carrier
    await share(site, fast, numbers=(5, 6))  # two M doors
    await share(site, slow, numbers=(1, 2, 3, 4, 7, 8, 9))  # all S, two M, one L: the pool is door 10 only
    for n in range(4):
        await announce(site, f"FAST-{n}", fast)
    numbers = [await deposit(site, f"FAST-{n}", site.cast.courier) for n in range(3)]
    assert numbers == [5, 6, 10]  # its share (though M), then the pool's L
    with pytest.raises(LockerFull):
        await deposit(site, "FAST-3", site.cast.courier)
    await announce(site, "SLOW-0", slow)
    assert await deposit(site, "SLOW-0", slow_courier(site)) == 1


async def test_a_parcel_that_does_not_fit_moves_within_the_same_rules(site: World) -> None:
    fast = site.cast.carrier
    await share(site, fast, numbers=(1,))
    await share(site, site.cast.other_carrier, numbers=(5, 6, 7, 8))  # every M is the other carrier's
    await announce(site, "FAST-1", fast)
    assert await deposit(site, "FAST-1", site.cast.courier) == 1
    command = ReportDepositProblem(site.cast.courier, SITE, "FAST-1", DepositProblem.DOES_NOT_FIT)
    moved: CompartmentOpened = await site.run(report_deposit_problem, command)
    assert moved.compartment.number == 9  # no M of its own or in the pool: the pool's L


async def test_another_carriers_courier_scanning_a_parcel_is_told_what_an_unknown_number_is_told(site: World) -> None:
    await announce(site, "FAST-1", site.cast.carrier)
    await announce(site, "SLOW-1", site.cast.other_carrier)
    await announce(site, "SLOW-2", site.cast.other_carrier)
    assert await deposit(site, "SLOW-2", slow_courier(site)) == 1
    stranger = slow_courier(site)

    with pytest.raises(NotFound) as theirs:
        await deposit(site, "FAST-1", stranger)
    with pytest.raises(NotFound) as unknown:
        await deposit(site, "NO-SUCH-1", stranger)
    assert theirs.value.message.replace("FAST-1", "X") == unknown.value.message.replace("NO-SUCH-1", "X")
    assert theirs.value.code == unknown.value.code

    for number in ("SLOW-2", "SLOW-1"):  # one under way, one announced: neither is the first courier's
        command = ReportDepositProblem(site.cast.courier, SITE, number, DepositProblem.DOOR_DID_NOT_OPEN)
        with pytest.raises(NotFound, match="no parcel"):
            await site.run(report_deposit_problem, command)
    assert site.compartment(1, SITE).out_of_order_reason is None


async def test_couriers_and_carriers_see_the_pool_and_their_own_share_operators_see_all(site: World) -> None:
    await share(site, site.cast.carrier, numbers=(1, 5))
    await share(site, site.cast.other_carrier, numbers=(2, 9))
    seen = {}
    for who in (site.cast.courier, site.cast.carrier, slow_courier(site), site.cast.operator):
        locker = await site.services.read(get_locker, GetLocker(who, SITE))
        seen[who.id] = [(c.number, c.reserved_for_carrier_id) for c in locker.compartments if c.reserved_for_carrier_id]
        page = await site.services.read(list_lockers, ListLockers(who))
        listed = next(lk for lk in page.lockers if lk.id == SITE)
        assert [c.number for c in listed.compartments] == [c.number for c in locker.compartments]
    assert seen == {
        "kuba": [(1, "fast"), (5, "fast")],
        "fast": [(1, "fast"), (5, "fast")],
        "ola": [(2, "slow"), (9, "slow")],
        "anna": [(1, "fast"), (2, "slow"), (5, "fast"), (9, "slow")],
    }


async def test_reopening_after_a_pickup_opens_only_the_compartment_the_parcel_was_in(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")  # door 1 of the world's locker
    await world.pick_up(code=parcel.code)
    await world.door(parcel.compartment_number, DoorState.OPEN)
    await world.door(parcel.compartment_number, DoorState.CLOSED)
    world.clock.advance(timedelta(seconds=5))
    terminal, locker = world.cast.terminal, parcel.compartment_number
    elsewhere = ReopenAfterPickup(terminal, "LOCKER-1", parcel.shipment_id, 2)  # free and closed, but not its door

    with pytest.raises(ReopenRefused, match="not the one parcel TRK-1 was in"):
        await world.run(reopen_after_pickup, elsewhere)
    reopened = await world.run(reopen_after_pickup, dataclasses.replace(elsewhere, compartment_number=locker))
    assert reopened.number == locker


async def test_the_operators_grid_shows_which_carrier_each_compartment_is_set_aside_for(site: World) -> None:
    await share(site, site.cast.other_carrier, numbers=(2, 9))
    grid = await site.services.read(read_locker_grid, ReadLockerGrid(site.cast.operator, SITE))
    assert {cell.number: cell.reserved_for_carrier_id for cell in grid.cells if cell.reserved_for_carrier_id} == {
        2: "slow",
        9: "slow",
    }
