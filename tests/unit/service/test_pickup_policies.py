"""Pickup policies of lockers and carriers: who may set them, and that storing a parcel follows them."""

from datetime import timedelta

import pytest

from parcellocker.domain.errors import Forbidden, NotFound
from parcellocker.domain.pickup_policy import PickupPolicy, PolicySubject
from parcellocker.service.pickup_policies import (
    GetPickupPolicy,
    SetPickupPolicy,
    SubjectPolicy,
    get_pickup_policy,
    set_pickup_policy,
)

from .world import LOCKER, World

HOUR = timedelta(hours=1)
LOCKER_POLICY = PickupPolicy(pickup_window=48 * HOUR, reminder_before=12 * HOUR)


async def test_an_operator_sets_a_lockers_policy_and_parcels_stored_there_follow_it(world: World) -> None:
    for_locker = SetPickupPolicy(world.cast.operator, PolicySubject.LOCKER, LOCKER, LOCKER_POLICY)
    await world.run(set_pickup_policy, for_locker)
    parcel = await world.store_parcel("TRK-1")
    shipment = world.shipment(parcel.shipment_id)
    assert shipment.pickup_deadline == world.clock.now() + 48 * HOUR
    assert shipment.remind_at == world.clock.now() + 36 * HOUR
    assert "pickup_policy.locker" in world.audit_actions()


async def test_the_carriers_policy_overrides_the_lockers_setting_by_setting(world: World) -> None:
    for_locker = SetPickupPolicy(world.cast.operator, PolicySubject.LOCKER, LOCKER, LOCKER_POLICY)
    await world.run(set_pickup_policy, for_locker)
    own = PickupPolicy(pickup_window=7 * 24 * HOUR)
    await world.run(set_pickup_policy, SetPickupPolicy(world.cast.carrier, PolicySubject.CARRIER, "fast", own))
    parcel = await world.store_parcel("TRK-1")
    shipment = world.shipment(parcel.shipment_id)
    assert shipment.pickup_deadline == world.clock.now() + 7 * 24 * HOUR  # the carrier's window
    assert shipment.remind_at == world.clock.now() + 7 * 24 * HOUR - 12 * HOUR  # the locker's reminder


async def test_who_may_set_and_read_which_policy(world: World) -> None:
    cast = world.cast
    with pytest.raises(Forbidden):
        await world.run(set_pickup_policy, SetPickupPolicy(cast.carrier, PolicySubject.LOCKER, LOCKER, LOCKER_POLICY))
    with pytest.raises(Forbidden, match="only its own policy"):
        await world.run(set_pickup_policy, SetPickupPolicy(cast.carrier, PolicySubject.CARRIER, "slow", LOCKER_POLICY))
    with pytest.raises(Forbidden, match="only its own policy"):
        await world.services.read(get_pickup_policy, GetPickupPolicy(cast.carrier, PolicySubject.CARRIER, "slow"))
    with pytest.raises(NotFound, match="no locker NOWHERE"):
        await world.run(
            set_pickup_policy, SetPickupPolicy(cast.operator, PolicySubject.LOCKER, "NOWHERE", LOCKER_POLICY)
        )
    with pytest.raises(NotFound, match="no carrier ghost"):
        await world.services.read(get_pickup_policy, GetPickupPolicy(cast.operator, PolicySubject.CARRIER, "ghost"))
    found: SubjectPolicy = await world.services.read(
        get_pickup_policy, GetPickupPolicy(cast.carrier, PolicySubject.LOCKER, LOCKER)
    )
    assert found.policy == PickupPolicy()  # none set: everything from the server
    assert found.defaults.pickup_window == 72 * HOUR
