"""The scheduler's rounds: batch after batch until nothing is due, the outbox woken when something was queued,
and its loop doing the same on its own when the clock moves."""

import asyncio
from datetime import timedelta

from parcellocker.domain.compartment import DoorState
from parcellocker.domain.shipment import ShipmentState
from parcellocker.service.scheduler import LifecycleScheduler, RoundDone

from .world import World

HOUR = timedelta(hours=1)


async def test_a_round_deals_with_everything_due_in_batches_and_wakes_the_outbox(world: World) -> None:
    parcels = [await world.store_parcel(f"TRK-{n}") for n in range(5)]
    woken: list[bool] = []
    scheduler = LifecycleScheduler(world.services, batch_size=2, queued=lambda: woken.append(True))
    assert await scheduler.run_due() == RoundDone()
    assert woken == []
    world.clock.advance(49 * HOUR)
    assert await scheduler.run_due() == RoundDone(reminded=5)
    world.clock.advance(23 * HOUR)
    assert await scheduler.run_due() == RoundDone(expired=5)
    assert woken == [True, True]
    assert {world.shipment(p.shipment_id).state for p in parcels} == {ShipmentState.EXPIRED}


async def test_a_round_stops_after_its_batches_and_leaves_the_rest_for_the_next(world: World) -> None:
    for n in range(5):
        await world.store_parcel(f"TRK-{n}")
    world.clock.advance(49 * HOUR)
    scheduler = LifecycleScheduler(world.services, batch_size=2, max_batches=2)
    assert (await scheduler.run_due()).reminded == 4
    assert (await scheduler.run_due()).reminded == 1


async def test_the_running_scheduler_acts_when_the_clock_has_moved(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.pick_up(code=parcel.code)
    await world.door(parcel.compartment_number, DoorState.CLOSED)
    scheduler = LifecycleScheduler(world.services, interval=0.01)
    scheduler.start()
    try:
        world.clock.advance(timedelta(days=31))
        for _ in range(500):
            if world.shipment(parcel.shipment_id).personal_data_erased_at is not None:
                break
            await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()
    assert world.shipment(parcel.shipment_id).recipient.erased
