from datetime import timedelta

import pytest

from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.compartment import CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import Forbidden, InvalidInput, NotFound, PickupCodeTaken
from parcellocker.domain.shipment import ShipmentState
from parcellocker.security.qr_tokens import read_qr_token
from parcellocker.service import door_events
from parcellocker.service.door_events import MAX_SEQ

from .world import KEYS, LOCKER, RECIPIENT, World


async def test_the_door_closing_on_a_deposit_stores_the_parcel_and_issues_its_code(world: World) -> None:
    shipment = await world.announce("TRK-1")
    opened = await world.deposit("TRK-1")
    await world.door(opened.compartment.number, DoorState.OPEN)
    applied = await world.door(opened.compartment.number, DoorState.CLOSED)
    assert (applied.outcome, applied.shipment_id, applied.shipment_state, applied.replayed) == (
        "parcel_stored",
        shipment.id,
        "stored",
        False,
    )
    stored = world.shipment(shipment.id)
    assert stored.state is ShipmentState.STORED
    assert stored.stored_at == world.clock.now()
    assert stored.pickup_deadline == world.clock.now() + timedelta(hours=72)
    assert stored.pickup_code_hash is not None
    compartment = world.compartment(opened.compartment.number)
    assert (compartment.state, compartment.door, compartment.pending) == (
        CompartmentState.OCCUPIED,
        DoorState.CLOSED,
        None,
    )
    assert str(world.transitions(shipment.id)[-1].actor) == f"terminal:terminal-{LOCKER}"


async def test_the_recipient_is_notified_with_a_sealed_code_that_matches_the_stored_hash(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    notifications = world.notifications(parcel.shipment_id)
    assert sorted((n.channel, n.address) for n in notifications) == [
        ("email", RECIPIENT.email),
        ("sms", RECIPIENT.phone),
    ]
    assert all(n.template == "parcel_stored" and n.language == "en" for n in notifications)
    assert all(parcel.code not in n.sealed_payload for n in notifications)
    assert len(parcel.code) == 6 and parcel.code.isdigit()
    assert world.code_hash(parcel.code) == world.shipment(parcel.shipment_id).pickup_code_hash
    claim = read_qr_token(KEYS.verify_key, parcel.qr_token, world.clock.now())
    assert claim is not None
    assert (claim.shipment_id, claim.locker_id) == (parcel.shipment_id, LOCKER)


async def test_live_codes_of_one_locker_are_all_different(world: World) -> None:
    parcels = [await world.store_parcel(f"TRK-{n}") for n in range(5)]
    hashes = {world.shipment(p.shipment_id).pickup_code_hash for p in parcels}
    assert len(hashes) == 5


async def test_the_door_closing_after_a_pickup_hands_the_parcel_over_and_frees_the_compartment(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.pick_up(code=parcel.code)
    await world.door(parcel.compartment_number, DoorState.OPEN)
    applied = await world.door(parcel.compartment_number, DoorState.CLOSED)
    assert (applied.outcome, applied.shipment_state) == ("parcel_picked_up", "picked_up")
    shipment = world.shipment(parcel.shipment_id)
    assert (shipment.state, shipment.pickup_code_hash, shipment.compartment_id) == (ShipmentState.PICKED_UP, None, None)
    compartment = world.compartment(parcel.compartment_number)
    assert (compartment.state, compartment.shipment_id, compartment.pending) == (CompartmentState.FREE, None, None)


async def test_a_door_opened_without_a_command_raises_an_alarm(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    applied = await world.door(parcel.compartment_number, DoorState.OPEN)
    assert applied.outcome == "forced_door"
    [alarm] = world.alarms(AlarmKind.FORCED_DOOR)
    assert (alarm.locker_id, alarm.compartment_number) == (LOCKER, parcel.compartment_number)
    assert "door.forced" in world.audit_actions()
    assert world.shipment(parcel.shipment_id).state is ShipmentState.STORED
    assert world.compartment(parcel.compartment_number).door is DoorState.OPEN


async def test_a_door_that_stays_open_is_not_forced_again(world: World) -> None:
    await world.door(2, DoorState.OPEN)
    applied = await world.door(2, DoorState.OPEN)
    assert applied.outcome == "recorded"
    assert len(world.alarms(AlarmKind.FORCED_DOOR)) == 1


async def test_a_door_closing_with_nothing_pending_is_only_recorded(world: World) -> None:
    await world.door(2, DoorState.OPEN)
    applied = await world.door(2, DoorState.CLOSED)
    assert (applied.outcome, applied.shipment_id) == ("recorded", None)
    assert world.compartment(2).state is CompartmentState.FREE


async def test_an_event_delivered_twice_is_applied_once(world: World) -> None:
    shipment = await world.announce("TRK-1")
    opened = await world.deposit("TRK-1")
    first = await world.door(opened.compartment.number, DoorState.CLOSED, seq=41)
    again = await world.door(opened.compartment.number, DoorState.CLOSED, seq=41)
    assert (first.replayed, again.replayed) == (False, True)
    assert (again.outcome, again.shipment_id, again.seq) == ("parcel_stored", shipment.id, 41)
    assert len(world.notifications(shipment.id)) == 2
    assert sum(t.to_state == ShipmentState.STORED for t in world.transitions(shipment.id)) == 1


async def test_a_replayed_forced_door_raises_one_alarm(world: World) -> None:
    await world.door(4, DoorState.OPEN, seq=7)
    await world.door(4, DoorState.CLOSED, seq=8)
    await world.door(4, DoorState.OPEN, seq=7)
    assert len(world.alarms(AlarmKind.FORCED_DOOR)) == 1
    assert world.compartment(4).door is DoorState.CLOSED


async def test_an_event_for_an_unknown_compartment_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="has no compartment 99"):
        await world.door(99, DoorState.OPEN)
    assert world.db.terminal_events == {}


async def test_the_terminal_of_another_locker_may_not_report_doors_here(world: World) -> None:
    with pytest.raises(Forbidden, match="belongs to locker LOCKER-2"):
        await world.door(1, DoorState.OPEN, by=world.cast.other_terminal)
    assert world.compartment(1).door is DoorState.CLOSED


@pytest.mark.parametrize("seq", [-1, MAX_SEQ])
async def test_a_sequence_number_out_of_range_is_refused(world: World, seq: int) -> None:
    with pytest.raises(InvalidInput, match="seq"):
        await world.door(1, DoorState.OPEN, seq=seq)


async def test_a_pickup_door_left_pending_stays_pending_until_it_closes(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    await world.pick_up(code=parcel.code)
    applied = await world.door(parcel.compartment_number, DoorState.OPEN)
    assert applied.outcome == "recorded"
    assert world.compartment(parcel.compartment_number).pending is PendingAction.PICKUP
    assert world.alarms(AlarmKind.FORCED_DOOR) == []


async def test_the_whole_history_of_a_parcel_is_kept_with_time_actor_and_reason(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    world.clock.advance(timedelta(hours=3))
    await world.pick_up(code=parcel.code)
    await world.door(parcel.compartment_number, DoorState.CLOSED)
    history = [(t.to_state, str(t.actor), t.at - world.clock.now()) for t in world.transitions(parcel.shipment_id)]
    assert history == [
        ("announced", "carrier:fast", timedelta(hours=-3)),
        ("stored", f"terminal:terminal-{LOCKER}", timedelta(hours=-3)),
        ("picked_up", f"terminal:terminal-{LOCKER}", timedelta(0)),
    ]
    assert all(t.reason for t in world.transitions(parcel.shipment_id))
    door = [(t.from_state, t.to_state) for t in world.transitions(f"{LOCKER}/{parcel.compartment_number}")]
    assert door == [("free", "reserved"), ("reserved", "occupied"), ("occupied", "occupied"), ("occupied", "free")]


async def test_a_drawn_code_already_live_at_the_locker_is_drawn_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws = iter(["111111", "111111", "111111", "222222"])
    monkeypatch.setattr(door_events, "generate_pickup_code", lambda length: next(draws))
    first = await world.store_parcel("TRK-1")
    second = await world.store_parcel("TRK-2")
    assert (first.code, second.code) == ("111111", "222222")


async def test_a_locker_out_of_free_codes_refuses_rather_than_reusing_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws: list[str] = []

    def draw(length: int) -> str:
        draws.append("111111")
        return "111111"

    monkeypatch.setattr(door_events, "generate_pickup_code", draw)
    await world.store_parcel("TRK-1")
    shipment = await world.announce("TRK-2")
    opened = await world.deposit("TRK-2")
    draws.clear()
    with pytest.raises(PickupCodeTaken):
        await world.door(opened.compartment.number, DoorState.CLOSED)
    assert len(draws) == world.services.attempts  # a new draw each time the door event was run
    assert world.shipment(shipment.id).state is ShipmentState.ANNOUNCED
