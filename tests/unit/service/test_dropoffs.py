"""Sending from a locker and returns, through the use cases and the fakes: a carrier has a drop-off code issued (sent
to the sender, kept as its HMAC), the code opens a fitting compartment at the locker's terminal ("does not fit" opens
the next size; the carrier's share first), the door closing makes the parcel `dropped_off`, a courier of its carrier
collects it, and the carrier confirms it has it. Wrong drop-off codes count toward the pickup codes' lockout."""

from datetime import timedelta
from itertools import chain, repeat

import pytest

from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.compartment import CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    LockedOut,
    NotFound,
    ParcelTooLarge,
)
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentKind, ShipmentState
from parcellocker.domain.sizes import Dimensions, ParcelSpec, Size
from parcellocker.service.carrier_shares import SetCarrierShare, set_carrier_share
from parcellocker.service.collecting import (
    CollectParcel,
    HandOverShipment,
    ReturnShipment,
    collect_parcel,
    hand_over_shipment,
    return_shipment,
)
from parcellocker.service.context import Policy
from parcellocker.service.deposits import CompartmentOpened, DepositProblem
from parcellocker.service.dropoffs import (
    DropOffParcel,
    IssueDropoffCode,
    ReportDropoffProblem,
    WrongDropoffCode,
    drop_off_parcel,
    issue_dropoff_code,
    report_dropoff_problem,
)
from parcellocker.service.parcels_to_collect import ListParcelsToCollect, list_parcels_to_collect
from parcellocker.service.pickups import WrongPickupCode

from .world import LOCKER, OTHER_LOCKER, Template, World, wrong_code

SENDER = Recipient(email="jan@example.com", phone="+48 600 300 400", name="Jan", language="pl")


async def issue(
    world: World,
    tracking_number: str = "SND-1",
    *,
    size: Size | None = Size.M,
    kind: ShipmentKind = ShipmentKind.SEND,
    locker_id: str = LOCKER,
    valid_for: timedelta | None = None,
) -> tuple[Shipment, str]:
    """The shipment announced for drop-off, and the code its sender was sent."""
    command = IssueDropoffCode(
        world.cast.carrier, tracking_number, locker_id, ParcelSpec(size), SENDER, kind, valid_for
    )
    shipment: Shipment = await world.run(issue_dropoff_code, command)
    return shipment, world.sealed_secrets(shipment.id)["code"]


async def drop_off(world: World, code: str, *, reachable: bool = False) -> CompartmentOpened:
    opened: CompartmentOpened = await world.run(
        drop_off_parcel, DropOffParcel(world.cast.terminal, LOCKER, code, reachable)
    )
    return opened


async def dropped_off(world: World, tracking_number: str = "SND-1", **how: object) -> tuple[Shipment, int]:
    shipment, code = await issue(world, tracking_number, **how)  # type: ignore[arg-type]
    opened = await drop_off(world, code)
    await world.door(opened.compartment.number, DoorState.OPEN)
    applied = await world.door(opened.compartment.number, DoorState.CLOSED)
    assert (applied.outcome, applied.shipment_state) == ("parcel_dropped_off", "dropped_off")
    return shipment, opened.compartment.number


async def test_a_carrier_has_a_code_issued_that_is_sent_to_the_sender_and_kept_only_as_its_hash(world: World) -> None:
    shipment, code = await issue(world)
    kept = world.shipment(shipment.id)
    assert (kept.state, kept.kind, kept.recipient) == (ShipmentState.ANNOUNCED, ShipmentKind.SEND, SENDER)
    assert kept.dropoff_code_hash == world.code_hash(code) and code not in kept.dropoff_code_hash
    assert kept.dropoff_code_expires_at == world.clock.now() + timedelta(days=14)  # the policy's default
    assert kept.pickup_code_hash is None
    messages = world.notifications(shipment.id)
    assert {(n.channel, n.address, n.template, n.language) for n in messages} == {
        ("email", "jan@example.com", "dropoff_code", "pl"),
        ("sms", "+48 600 300 400", "dropoff_code", "pl"),
    }
    assert all(code not in n.sealed_payload for n in messages)  # sealed with the server's key


async def test_a_return_is_the_same_flow_with_its_own_kind_and_validity(world: World) -> None:
    shipment, _ = await issue(world, "RET-1", kind=ShipmentKind.RETURN, valid_for=timedelta(hours=6))
    kept = world.shipment(shipment.id)
    assert kept.kind is ShipmentKind.RETURN
    assert kept.dropoff_code_expires_at == world.clock.now() + timedelta(hours=6)


async def test_issuing_names_what_is_wrong(world: World) -> None:
    with pytest.raises(Forbidden):
        await world.run(
            issue_dropoff_code, IssueDropoffCode(world.cast.courier, "SND-1", LOCKER, ParcelSpec(Size.S), SENDER)
        )
    with pytest.raises(NotFound, match="no locker NOWHERE"):
        await issue(world, locker_id="NOWHERE")
    with pytest.raises(ParcelTooLarge, match="fits in no compartment of locker LOCKER-2"):
        await issue(world, size=Size.L, locker_id=OTHER_LOCKER)  # only M there
    with pytest.raises(InvalidInput, match="at most 90 days"):
        await issue(world, valid_for=timedelta(days=91))
    with pytest.raises(InvalidInput, match="sent or returned, not a delivery"):
        await issue(world, kind=ShipmentKind.DELIVERY)
    await issue(world)
    with pytest.raises(Conflict, match="was announced already"):
        await issue(world)


async def test_the_code_opens_a_fitting_compartment_and_the_door_closing_drops_the_parcel_off(world: World) -> None:
    shipment, code = await issue(world)
    opened = await drop_off(world, f" {code[:3]}-{code[3:]} ")  # typed with a dash and spaces
    assert opened.shipment.id == shipment.id and opened.compartment.size is Size.M
    compartment = world.compartment(opened.compartment.number)
    assert (compartment.state, compartment.pending) == (CompartmentState.RESERVED, PendingAction.DEPOSIT)
    assert world.transitions(compartment.id)[-1].reason == "opened for a drop-off"
    assert "compartment.opened_for_dropoff" in world.audit_actions()
    assert (await drop_off(world, code)).compartment.number == opened.compartment.number  # typed again: same door

    assert (await world.door(opened.compartment.number, DoorState.OPEN)).outcome == "recorded"  # not forced
    applied = await world.door(opened.compartment.number, DoorState.CLOSED)
    assert (applied.outcome, applied.shipment_id, applied.shipment_state) == (
        "parcel_dropped_off",
        shipment.id,
        "dropped_off",
    )
    kept = world.shipment(shipment.id)
    assert (kept.state, kept.dropoff_code_hash, kept.compartment_id) == (
        ShipmentState.DROPPED_OFF,
        None,
        compartment.id,
    )
    assert world.compartment(opened.compartment.number).state is CompartmentState.OCCUPIED
    with pytest.raises(WrongDropoffCode):
        await drop_off(world, code)  # the code died with the drop-off
    assert [n.template for n in world.notifications(shipment.id)] == ["dropoff_code", "dropoff_code"]  # no pickup


async def test_does_not_fit_opens_the_next_size_and_a_door_that_did_not_open_another(world: World) -> None:
    _, small_code = await issue(world, "SND-S", size=Size.S)
    first = await drop_off(world, small_code)
    assert first.compartment.size is Size.S
    bigger = await world.run(
        report_dropoff_problem,
        ReportDropoffProblem(world.cast.terminal, LOCKER, small_code, DepositProblem.DOES_NOT_FIT),
    )
    assert bigger.compartment.size is Size.M
    assert world.compartment(first.compartment.number).state is CompartmentState.FREE

    _, code = await issue(world, "SND-M", size=Size.M)
    stuck = await drop_off(world, code)
    other = await world.run(
        report_dropoff_problem,
        ReportDropoffProblem(world.cast.terminal, LOCKER, code, DepositProblem.DOOR_DID_NOT_OPEN),
    )
    assert other.compartment.size is not Size.S and other.compartment.number != stuck.compartment.number
    assert world.compartment(stuck.compartment.number).state is CompartmentState.OUT_OF_ORDER
    [alarm] = world.alarms(AlarmKind.OUT_OF_ORDER)
    assert alarm.message == f"compartment {stuck.compartment.number}: door did not open for its sender"


async def test_a_problem_is_reported_only_for_a_compartment_already_open(world: World) -> None:
    _, code = await issue(world)
    with pytest.raises(Conflict, match="type its drop-off code first"):
        await world.run(
            report_dropoff_problem,
            ReportDropoffProblem(world.cast.terminal, LOCKER, code, DepositProblem.DOES_NOT_FIT),
        )


async def test_the_drop_off_keeps_to_its_carriers_share_and_never_takes_another_carriers(world: World) -> None:
    # Locker 1: S 1-2, M 3-4, L 5. The other carrier has M 3; this carrier has M 4, which comes before the pool.
    await world.run(set_carrier_share, SetCarrierShare(world.cast.operator, LOCKER, "slow", numbers=(3,)))
    await world.run(set_carrier_share, SetCarrierShare(world.cast.operator, LOCKER, "fast", numbers=(4,)))
    _, first_code = await issue(world, "SND-1")
    _, second_code = await issue(world, "SND-2")
    assert (await drop_off(world, first_code)).compartment.number == 4
    assert (await drop_off(world, second_code)).compartment.number == 5  # M 3 is slow's: the next size up, pool


async def test_a_sender_in_accessibility_mode_gets_a_compartment_within_reach(world: World) -> None:
    # Locker 1: only its L door (5) is within reach; an M parcel goes in M 3 without the wish.
    _, code = await issue(world, "SND-1")
    _, other_code = await issue(world, "SND-2")
    opened = await drop_off(world, code, reachable=True)
    assert (opened.compartment.number, world.shipment(opened.shipment.id).reachable_height) == (5, True)
    assert (await drop_off(world, other_code)).compartment.number == 3


async def test_an_expired_code_a_cancelled_one_and_another_lockers_open_nothing(world: World) -> None:
    shipment, code = await issue(world, valid_for=timedelta(hours=1))
    world.clock.advance(timedelta(hours=1))
    with pytest.raises(WrongDropoffCode, match="no parcel to send waits for this drop-off code here"):
        await drop_off(world, code)
    other, other_code = await issue(world, "SND-2")
    from parcellocker.service.shipments import CancelShipment, cancel_shipment

    await world.run(cancel_shipment, CancelShipment(world.cast.carrier, other.id))
    with pytest.raises(WrongDropoffCode):
        await drop_off(world, other_code)
    _, third_code = await issue(world, "SND-3")
    with pytest.raises(Forbidden):
        await world.run(drop_off_parcel, DropOffParcel(world.cast.other_terminal, LOCKER, third_code))
    with pytest.raises(InvalidInput, match="a drop-off code is 6 to 8 digits"):
        await drop_off(world, "12ab")
    assert world.shipment(shipment.id).state is ShipmentState.ANNOUNCED


async def test_wrong_drop_off_codes_count_toward_the_same_lockout_as_wrong_pickup_codes(template: Template) -> None:
    world = template.world(Policy())  # 5 wrong tries in 10 minutes, then 60 s
    parcel = await world.store_parcel("TRK-1")
    _, code = await issue(world)
    for _ in range(3):
        with pytest.raises(WrongPickupCode):
            await world.pick_up(code=wrong_code(parcel.code))
    with pytest.raises(WrongDropoffCode) as told:
        await drop_off(world, wrong_code(code))
    assert (told.value.code, told.value.remaining_tries) == ("dropoff_code_not_found", 1)
    with pytest.raises(LockedOut) as locked:
        await drop_off(world, wrong_code(code))
    assert locked.value.retry_after_seconds == 60
    with pytest.raises(LockedOut):
        await drop_off(world, code)  # even the right code waits
    with pytest.raises(LockedOut):
        await world.pick_up(code=parcel.code)
    assert len(world.alarms(AlarmKind.LOCKOUT)) == 1
    world.clock.advance(timedelta(seconds=60))
    await drop_off(world, code)
    assert world.db.lockouts[f"pickup:{LOCKER}"].failures == []  # a right code forgives


async def test_a_new_code_differs_from_every_live_pickup_and_drop_off_code_of_the_locker(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    parcel = await world.store_parcel("TRK-1")
    _, first = await issue(world, "SND-1")
    drawn = chain([parcel.code, first], repeat("424242"))
    monkeypatch.setattr("parcellocker.service.dropoffs.generate_pickup_code", lambda length: next(drawn))
    _, second = await issue(world, "SND-2")
    assert second == "424242"


async def test_a_courier_collects_the_dropped_off_parcel_and_the_carrier_confirms_it_has_it(world: World) -> None:
    shipment, number = await dropped_off(world)
    listed = await world.run(list_parcels_to_collect, ListParcelsToCollect(world.cast.courier, LOCKER))
    assert [(p.tracking_number, p.compartment_number, p.state, p.kind) for p in listed] == [
        ("SND-1", number, "dropped_off", "send")
    ]
    assert listed[0].expired_at == world.clock.now()  # since when it waits: when it was dropped off
    opened: CompartmentOpened = await world.run(collect_parcel, CollectParcel(world.cast.courier, LOCKER, "SND-1"))
    assert opened.compartment.number == number
    applied = await world.door(number, DoorState.CLOSED)
    assert (applied.outcome, applied.shipment_state) == ("parcel_collected", "collected")
    assert world.compartment(number).state is CompartmentState.FREE
    with pytest.raises(IllegalTransition, match="handed to the carrier"):
        await world.run(return_shipment, ReturnShipment(world.cast.carrier, shipment.id))
    with pytest.raises(NotFound):
        await world.run(hand_over_shipment, HandOverShipment(world.cast.other_carrier, shipment.id))
    handed: Shipment = await world.run(hand_over_shipment, HandOverShipment(world.cast.carrier, shipment.id))
    assert (handed.state, handed.ended_at) == (ShipmentState.HANDED_TO_CARRIER, world.clock.now())
    moves = [(t.from_state, t.to_state) for t in world.transitions(shipment.id)]
    assert moves == [
        (None, ShipmentState.ANNOUNCED),
        (ShipmentState.ANNOUNCED, ShipmentState.DROPPED_OFF),
        (ShipmentState.DROPPED_OFF, ShipmentState.COLLECTED),
        (ShipmentState.COLLECTED, ShipmentState.HANDED_TO_CARRIER),
    ]
    assert "shipment.handed_to_carrier" in world.audit_actions()


async def test_a_courier_never_deposits_a_parcel_to_send_and_a_delivery_is_never_handed_over(world: World) -> None:
    shipment, _ = await issue(world)
    with pytest.raises(Conflict, match="put in by its sender with a drop-off code, not by a courier"):
        await world.deposit("SND-1")
    with pytest.raises(IllegalTransition, match="or that their senders dropped off, are collected"):
        await world.run(collect_parcel, CollectParcel(world.cast.courier, LOCKER, "SND-1"))  # not in the locker yet
    delivery = await world.store_parcel("TRK-1")
    with pytest.raises(IllegalTransition, match="is a delivery"):
        await world.run(hand_over_shipment, HandOverShipment(world.cast.carrier, delivery.shipment_id))
    assert world.shipment(shipment.id).state is ShipmentState.ANNOUNCED


async def test_the_parcel_fits_by_its_dimensions_too(world: World) -> None:
    command = IssueDropoffCode(world.cast.carrier, "SND-9", LOCKER, ParcelSpec(None, Dimensions(150, 300, 400)), SENDER)
    shipment: Shipment = await world.run(issue_dropoff_code, command)
    opened = await drop_off(world, world.sealed_secrets(shipment.id)["code"])
    assert opened.compartment.size is Size.M  # 150 mm high: over S's 80 mm
