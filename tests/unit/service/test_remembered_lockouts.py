"""A lockout this process has seen is remembered: the locker's code tries are refused before a unit of work opens,
with the answer the database would give, until the lockout ends (service/wrong_codes.py)."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from parcellocker.adapters.lockout_memory import RECHECK, InProcessLockoutMemory
from parcellocker.domain.errors import Forbidden, LockedOut
from parcellocker.service.context import Replay, Services
from parcellocker.service.deposits import CompartmentOpened
from parcellocker.service.dropoffs import DropOffParcel, drop_off_parcel
from parcellocker.service.pickups import PickUpParcel, WrongPickupCode, pick_up_parcel

from ..fakes import FakeUnitOfWork
from .world import LOCKER, World, wrong_code


class Remembering:
    """The world's use cases run by Services with a lockout memory, counting the units of work they open."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.memory = InProcessLockoutMemory()
        self.opened = 0
        self.services = Services(uow_factory=self._uow, env=replace(world.env, lockout_memory=self.memory))

    def _uow(self) -> FakeUnitOfWork:
        self.opened += 1
        return FakeUnitOfWork(self.world.db)

    async def pick_up(self, code: str, replay: Replay | None = None, **kwargs: Any) -> Any:
        """The shipment and compartment opened for `code`, as the API renders them."""
        command = PickUpParcel(kwargs.get("by", self.world.cast.terminal), LOCKER, code=code)
        return await self.services.run(pick_up_parcel, command, _rendered, replay)

    async def lock_out(self, code: str) -> LockedOut:
        """Four wrong codes, then the fifth that locks the locker out."""
        for _ in range(4):
            with pytest.raises(WrongPickupCode):
                await self.pick_up(wrong_code(code))
        with pytest.raises(LockedOut) as locked:
            await self.pick_up(wrong_code(code))
        return locked.value


def _rendered(opened: CompartmentOpened) -> dict[str, Any]:
    return {"shipment": opened.shipment.id, "compartment": opened.compartment.number}


@pytest.fixture
def remembering(world: World) -> Remembering:
    return Remembering(world)


async def test_tries_at_a_locked_out_locker_open_no_unit_of_work_and_get_the_same_answer(
    world: World, remembering: Remembering
) -> None:
    parcel = await world.store_parcel("TRK-1")
    engaged = await remembering.lock_out(parcel.code)
    opened = remembering.opened
    world.clock.advance(timedelta(seconds=5, milliseconds=500))
    for code in (wrong_code(parcel.code), parcel.code):
        with pytest.raises(LockedOut) as refused:
            await remembering.pick_up(code)
        assert refused.value.retry_after_seconds == 55
        assert refused.value.message == engaged.message.replace("60", "55")
    assert remembering.opened == opened
    with pytest.raises(LockedOut) as at_drop_off:  # the locker's one lockout refuses drop-off codes the same way
        command = DropOffParcel(world.cast.terminal, LOCKER, "12345678")
        await remembering.services.run(drop_off_parcel, command, lambda result: result)
    assert at_drop_off.value.retry_after_seconds == 55
    assert remembering.opened == opened


async def test_a_remembered_lockout_is_checked_in_the_database_again_after_a_while(
    world: World, remembering: Remembering
) -> None:
    parcel = await world.store_parcel("TRK-1")
    await remembering.lock_out(parcel.code)
    opened = remembering.opened
    world.clock.advance(RECHECK)
    for _ in range(3):
        with pytest.raises(LockedOut) as refused:
            await remembering.pick_up(parcel.code)
        assert refused.value.retry_after_seconds == 60 - RECHECK.seconds
    assert remembering.opened == opened + 1  # the first try read the record again; the others were refused at once


async def test_the_database_answers_the_same_as_the_memory(world: World, remembering: Remembering) -> None:
    parcel = await world.store_parcel("TRK-1")
    await remembering.lock_out(parcel.code)
    world.clock.advance(timedelta(seconds=20, milliseconds=500))
    with pytest.raises(LockedOut) as from_memory:
        await remembering.pick_up(parcel.code)
    with pytest.raises(LockedOut) as from_database:
        await world.pick_up(code=parcel.code)  # the world's own services: no memory
    assert (from_memory.value.message, from_memory.value.retry_after_seconds) == (
        from_database.value.message,
        from_database.value.retry_after_seconds,
    )


async def test_the_right_code_opens_once_the_lockout_is_over(world: World, remembering: Remembering) -> None:
    parcel = await world.store_parcel("TRK-1")
    await remembering.lock_out(parcel.code)
    world.clock.advance(timedelta(seconds=60))
    opened = await remembering.pick_up(parcel.code)
    assert opened["shipment"] == parcel.shipment_id
    assert len(remembering.memory) == 0


async def test_another_lockers_terminal_is_still_refused_as_forbidden(world: World, remembering: Remembering) -> None:
    parcel = await world.store_parcel("TRK-1")
    await remembering.lock_out(parcel.code)
    with pytest.raises(Forbidden):
        await remembering.pick_up(parcel.code, by=world.cast.other_terminal)


async def test_a_replayed_pickup_gets_its_first_answer_during_a_lockout(world: World, remembering: Remembering) -> None:
    parcel = await world.store_parcel("TRK-1")
    key = Replay.of(f"terminal:{LOCKER}", "pickup-1", "POST", f"/lockers/{LOCKER}/pickups", parcel.code.encode())
    first = await remembering.pick_up(parcel.code, key)
    await remembering.lock_out(parcel.code)
    again = await remembering.pick_up(parcel.code, key)
    assert again == first == {"shipment": parcel.shipment_id, "compartment": parcel.compartment_number}


async def test_a_process_that_did_not_engage_the_lockout_learns_it_from_the_database(
    world: World, remembering: Remembering
) -> None:
    parcel = await world.store_parcel("TRK-1")
    await remembering.lock_out(parcel.code)
    other_process = Remembering(world)
    with pytest.raises(LockedOut):
        await other_process.pick_up(parcel.code)
    assert other_process.opened == 1
    with pytest.raises(LockedOut):
        await other_process.pick_up(parcel.code)
    assert other_process.opened == 1
