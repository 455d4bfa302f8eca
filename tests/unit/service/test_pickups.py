from datetime import timedelta

import pytest

from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.compartment import DoorState, PendingAction
from parcellocker.domain.errors import Forbidden, InvalidInput, LockedOut
from parcellocker.domain.shipment import ShipmentState
from parcellocker.security.qr_tokens import QrClaim, issue_qr_token
from parcellocker.service.pickups import PickUpParcel, WrongPickupCode, pick_up_parcel

from .world import KEYS, LOCKER, OTHER_LOCKER, World, wrong_code


async def guess_wrong(world: World, code: str, times: int) -> list[int]:
    remaining = []
    for _ in range(times):
        with pytest.raises(WrongPickupCode) as refused:
            await world.pick_up(code=wrong_code(code))
        remaining.append(refused.value.remaining_tries)
    return remaining


async def test_the_right_code_opens_the_compartment_holding_the_parcel(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    opened = await world.pick_up(code=parcel.code)
    assert (opened.shipment.id, opened.compartment.number) == (parcel.shipment_id, parcel.compartment_number)
    assert world.compartment(parcel.compartment_number).pending is PendingAction.PICKUP
    assert world.shipment(parcel.shipment_id).state is ShipmentState.STORED  # until the door closes
    assert "compartment.opened_for_pickup" in world.audit_actions()
    assert world.db.audit[-1].record.details == {"shipment": parcel.shipment_id, "by": "code"}


async def test_a_code_may_be_typed_with_spaces(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    opened = await world.pick_up(code=f"{parcel.code[:3]} {parcel.code[3:]}")
    assert opened.shipment.id == parcel.shipment_id


async def test_the_qr_token_from_the_message_opens_the_compartment(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    opened = await world.pick_up(qr_token=parcel.qr_token)
    assert opened.compartment.number == parcel.compartment_number
    assert world.db.audit[-1].record.details["by"] == "qr"


async def test_a_qr_token_for_another_locker_or_forged_is_a_wrong_code(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    expires = int((world.clock.now() + timedelta(hours=1)).timestamp())
    elsewhere = issue_qr_token(KEYS.signing_key, QrClaim(parcel.shipment_id, OTHER_LOCKER, expires))
    for token in (elsewhere, parcel.qr_token[:-4] + "AAAA", "PLQR1.garbage.garbage", "not-a-token"):
        with pytest.raises(WrongPickupCode):
            await world.pick_up(qr_token=token)
    assert world.db.lockouts[f"pickup:{LOCKER}"].failures != []


async def test_a_wrong_code_says_not_found_and_the_failure_is_kept(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    assert await guess_wrong(world, parcel.code, 1) == [4]
    assert len(world.db.lockouts[f"pickup:{LOCKER}"].failures) == 1
    assert world.compartment(parcel.compartment_number).pending is None


async def test_a_wrong_code_and_a_code_of_a_collected_parcel_answer_alike(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.pick_up(code=parcel.code)
    await world.door(parcel.compartment_number, DoorState.CLOSED)
    with pytest.raises(WrongPickupCode) as used:
        await world.pick_up(code=parcel.code)
    with pytest.raises(WrongPickupCode) as unknown:
        await world.pick_up(code=wrong_code(parcel.code))
    assert (used.value.code, used.value.message) == (unknown.value.code, unknown.value.message)


async def test_a_code_after_the_pickup_deadline_no_longer_opens(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    world.clock.advance(timedelta(hours=72))
    with pytest.raises(WrongPickupCode):
        await world.pick_up(code=parcel.code)


async def test_five_wrong_codes_lock_the_locker_out_with_an_alarm(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    assert await guess_wrong(world, parcel.code, 4) == [4, 3, 2, 1]
    with pytest.raises(LockedOut) as locked:
        await world.pick_up(code=wrong_code(parcel.code))
    assert locked.value.retry_after_seconds == 60
    [alarm] = world.alarms(AlarmKind.LOCKOUT)
    assert alarm.locker_id == LOCKER
    assert world.audit_actions()[-1] == "locker.locked_out"
    assert world.db.audit[-1].record.details == {"seconds": "60"}


async def test_a_locked_out_locker_refuses_even_the_right_code_until_the_wait_is_over(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await guess_wrong(world, parcel.code, 4)
    with pytest.raises(LockedOut):
        await world.pick_up(code=wrong_code(parcel.code))
    world.clock.advance(timedelta(seconds=30))
    with pytest.raises(LockedOut) as still:
        await world.pick_up(code=parcel.code)
    assert still.value.retry_after_seconds == 30
    assert world.compartment(parcel.compartment_number).pending is None
    world.clock.advance(timedelta(seconds=30))
    opened = await world.pick_up(code=parcel.code)
    assert opened.shipment.id == parcel.shipment_id


async def test_the_second_lockout_waits_twice_as_long(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await guess_wrong(world, parcel.code, 4)
    with pytest.raises(LockedOut):
        await world.pick_up(code=wrong_code(parcel.code))
    world.clock.advance(timedelta(seconds=60))
    await guess_wrong(world, parcel.code, 4)
    with pytest.raises(LockedOut) as second:
        await world.pick_up(code=wrong_code(parcel.code))
    assert second.value.retry_after_seconds == 120
    assert len(world.alarms(AlarmKind.LOCKOUT)) == 2


async def test_the_right_code_clears_earlier_wrong_tries(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await guess_wrong(world, parcel.code, 4)
    await world.pick_up(code=parcel.code)
    assert world.db.lockouts[f"pickup:{LOCKER}"].failures == []
    assert await guess_wrong(world, parcel.code, 1) == [4]


async def test_wrong_tries_at_one_locker_do_not_lock_another(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await guess_wrong(world, parcel.code, 4)
    with pytest.raises(LockedOut):
        await world.pick_up(code=wrong_code(parcel.code))
    command = PickUpParcel(world.cast.other_terminal, OTHER_LOCKER, code=wrong_code(parcel.code))
    with pytest.raises(WrongPickupCode) as refused:
        await world.run(pick_up_parcel, command)
    assert refused.value.remaining_tries == 4


async def test_text_that_cannot_be_a_code_is_refused_without_counting(world: World) -> None:
    for junk in ("12ab56", "123"):
        with pytest.raises(InvalidInput):
            await world.pick_up(code=junk)
    assert f"pickup:{LOCKER}" not in world.db.lockouts


async def test_a_pickup_needs_either_a_code_or_a_qr_token(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    with pytest.raises(InvalidInput, match="either"):
        await world.pick_up()
    with pytest.raises(InvalidInput, match="either"):
        await world.pick_up(code=parcel.code, qr_token=parcel.qr_token)


async def test_the_terminal_of_another_locker_cannot_open_this_one(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    with pytest.raises(Forbidden):
        await world.pick_up(code=parcel.code, by=world.cast.other_terminal)
    assert world.compartment(parcel.compartment_number).pending is None


async def test_a_code_can_reopen_the_door_before_it_closes(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.pick_up(code=parcel.code)
    again = await world.pick_up(code=parcel.code)
    assert again.compartment.number == parcel.compartment_number
