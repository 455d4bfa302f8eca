"""A parcel its sender drops off at a locker (to send it, or to return it to the carrier): announced with a drop-off
code, `dropped_off` when the door closes on it, `collected` by a courier, `handed_to_carrier` when the carrier
confirms; never stored for a pickup. Driven by rules and by random sequences of operations."""

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from parcellocker.domain.errors import IllegalTransition, InvalidInput
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.notices import Notice, worth_sending
from parcellocker.domain.shipment import (
    ALLOWED_TRANSITIONS,
    FINAL_STATES,
    TO_BE_COLLECTED_STATES,
    Recipient,
    Shipment,
    ShipmentKind,
    ShipmentState,
)
from parcellocker.domain.sizes import ParcelSpec, Size

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CARRIER = Actor(ActorKind.CARRIER, "fast")
TERMINAL = Actor(ActorKind.TERMINAL, "terminal-L")
COURIER = Actor(ActorKind.COURIER, "kuba")
S = ShipmentState


def to_send(kind: ShipmentKind = ShipmentKind.SEND, valid_for: timedelta = 7 * DAY) -> Shipment:
    return Shipment.announce_dropoff(
        shipment_id="shipment-1",
        tracking_number="  SND-1 ",
        carrier_id="fast",
        locker_id="L",
        parcel=ParcelSpec(size=Size.M),
        sender=Recipient(email="jan@example.com", language="pl"),
        kind=kind,
        code_hash="d" * 64,
        code_expires_at=START + valid_for,
        at=START,
        actor=CARRIER,
    )


def dropped_off(kind: ShipmentKind = ShipmentKind.SEND) -> Shipment:
    shipment = to_send(kind)
    shipment.begin_deposit("L/3", Size.M)
    shipment.drop_off(START + DAY, TERMINAL)
    return shipment


def test_a_parcel_to_send_is_announced_with_its_code_until_its_expiry() -> None:
    shipment = to_send()
    assert (shipment.state, shipment.kind, shipment.tracking_number) == (S.ANNOUNCED, ShipmentKind.SEND, "SND-1")
    assert shipment.is_dropoff and shipment.dropoff_code_hash == "d" * 64
    assert shipment.can_be_dropped_off(START + 7 * DAY - timedelta(seconds=1))
    assert not shipment.can_be_dropped_off(START + 7 * DAY)  # the code has expired
    [first] = shipment.events
    assert (first.from_state, first.to_state, first.reason) == (None, S.ANNOUNCED, "drop-off announced by carrier")
    assert to_send(ShipmentKind.RETURN).events[0].reason == "return announced by carrier"


def test_only_a_parcel_to_send_or_return_gets_a_drop_off_code_for_some_time() -> None:
    with pytest.raises(InvalidInput, match="sent or returned, not a delivery"):
        to_send(ShipmentKind.DELIVERY)
    with pytest.raises(InvalidInput, match="valid for some time"):
        to_send(valid_for=timedelta(0))


def test_the_door_closing_on_it_makes_it_dropped_off_and_its_code_dies() -> None:
    shipment = to_send(ShipmentKind.RETURN)
    with pytest.raises(IllegalTransition, match="not being dropped off"):
        shipment.drop_off(START, TERMINAL)  # no compartment open for it yet
    shipment.begin_deposit("L/3", Size.M)
    assert shipment.deposit_in_progress and shipment.can_be_dropped_off(START)  # typed again: the same door
    shipment.drop_off(START + DAY, TERMINAL)
    assert (shipment.state, shipment.compartment_id, shipment.dropoff_code_hash) == (S.DROPPED_OFF, "L/3", None)
    assert not shipment.can_be_dropped_off(START + DAY)
    assert shipment.events[-1].reason == "door closed on the returned parcel"
    assert S.DROPPED_OFF in TO_BE_COLLECTED_STATES


def test_a_dropped_off_parcel_is_never_stored_for_a_pickup() -> None:
    shipment = to_send()
    shipment.begin_deposit("L/3", Size.M)
    with pytest.raises(IllegalTransition, match="sent from the locker, not stored for pickup"):
        shipment.store("p" * 64, START + 3 * DAY, START, TERMINAL)
    assert shipment.pickup_code_hash is None and shipment.state is S.ANNOUNCED


def test_collected_by_a_courier_it_is_handed_to_the_carrier_not_returned_to_a_sender() -> None:
    shipment = dropped_off()
    with pytest.raises(IllegalTransition, match="cannot hand it to the carrier: shipment SND-1 is dropped off"):
        shipment.hand_to_carrier(START + 2 * DAY, CARRIER)
    shipment.collect(START + 2 * DAY, COURIER)
    assert (shipment.state, shipment.compartment_id) == (S.COLLECTED, None)
    with pytest.raises(IllegalTransition, match="handed to the carrier \\(hand over\\), not returned"):
        shipment.mark_returned(START + 3 * DAY, CARRIER)
    shipment.hand_to_carrier(START + 3 * DAY, CARRIER)
    assert (shipment.state, shipment.ended_at) == (S.HANDED_TO_CARRIER, START + 3 * DAY)


def test_a_delivery_is_neither_dropped_off_nor_handed_to_the_carrier() -> None:
    delivery = Shipment.announce(
        shipment_id="shipment-2",
        tracking_number="DLV-1",
        carrier_id="fast",
        locker_id="L",
        parcel=ParcelSpec(size=Size.S),
        recipient=Recipient(email="ola@example.com"),
        at=START,
        actor=CARRIER,
    )
    assert delivery.kind is ShipmentKind.DELIVERY and not delivery.is_dropoff
    assert not delivery.can_be_dropped_off(START)
    delivery.begin_deposit("L/1", Size.S)
    with pytest.raises(IllegalTransition, match="not being dropped off"):
        delivery.drop_off(START, TERMINAL)
    with pytest.raises(IllegalTransition, match="only a parcel dropped off at a locker is handed to its carrier"):
        delivery.hand_to_carrier(START, CARRIER)


def test_cancelling_a_parcel_not_yet_dropped_off_kills_its_code() -> None:
    shipment = to_send()
    shipment.cancel(START + DAY, CARRIER)
    assert (shipment.state, shipment.dropoff_code_hash) == (S.CANCELLED, None)
    assert not shipment.can_be_dropped_off(START + DAY)


def test_the_code_message_is_sent_only_while_the_code_opens_a_door() -> None:
    shipment = to_send()
    assert worth_sending(Notice.DROPOFF_CODE, START, shipment)
    assert not worth_sending(Notice.DROPOFF_CODE, START, dropped_off())
    cancelled = to_send()
    cancelled.cancel(START, CARRIER)
    assert not worth_sending(Notice.DROPOFF_CODE, START, cancelled)
    assert not worth_sending(Notice.PARCEL_STORED, START, shipment)


OPERATIONS: dict[str, Callable[[Shipment, datetime, Actor], None]] = {
    "begin_deposit": lambda s, at, actor: s.begin_deposit("L/3", Size.M),
    "abandon_deposit": lambda s, at, actor: s.abandon_deposit(),
    "drop_off": lambda s, at, actor: s.drop_off(at, actor),
    "store": lambda s, at, actor: s.store("p" * 64, at + DAY, at, actor),
    "pick_up": lambda s, at, actor: s.pick_up(at, actor),
    "cancel": lambda s, at, actor: s.cancel(at, actor),
    "expire": lambda s, at, actor: s.expire(at, actor),
    "collect": lambda s, at, actor: s.collect(at, actor),
    "redirect": lambda s, at, actor: s.redirect(at, actor, "L2"),
    "mark_returned": lambda s, at, actor: s.mark_returned(at, actor),
    "hand_to_carrier": lambda s, at, actor: s.hand_to_carrier(at, actor),
    "erase_personal_data": lambda s, at, actor: s.erase_personal_data(at, actor),
}


class DropoffLifecycle(RuleBasedStateMachine):
    """Any operation at any time on a parcel to send or return: legal ones follow the drop-off flow, illegal ones
    change nothing."""

    @initialize(kind=st.sampled_from([ShipmentKind.SEND, ShipmentKind.RETURN]))
    def announce(self, kind: ShipmentKind) -> None:
        self.now = START
        self.shipment = to_send(kind)
        self.path = [S.ANNOUNCED]

    @rule(
        operation=st.sampled_from(sorted(OPERATIONS)),
        actor=st.sampled_from([CARRIER, TERMINAL, COURIER]),
        minutes=st.integers(min_value=0, max_value=60 * 24 * 3),
    )
    def apply(self, operation: str, actor: Actor, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        before = copy.deepcopy(self.shipment)
        try:
            OPERATIONS[operation](self.shipment, self.now, actor)
        except IllegalTransition:
            assert self.shipment == before, f"{operation} from {before.state} raised but changed the shipment"
            return
        if self.shipment.state is not before.state:
            assert self.shipment.state in ALLOWED_TRANSITIONS[before.state]
            self.path.append(self.shipment.state)

    @invariant()
    def it_follows_the_dropoff_flow_only(self) -> None:
        assert self.path in (
            [S.ANNOUNCED],
            [S.ANNOUNCED, S.CANCELLED],
            [S.ANNOUNCED, S.DROPPED_OFF],
            [S.ANNOUNCED, S.DROPPED_OFF, S.COLLECTED],
            [S.ANNOUNCED, S.DROPPED_OFF, S.COLLECTED, S.HANDED_TO_CARRIER],
        ), self.path

    @invariant()
    def its_code_lives_exactly_until_it_is_in_or_cancelled(self) -> None:
        assert (self.shipment.dropoff_code_hash is not None) == (self.shipment.state is S.ANNOUNCED)
        assert self.shipment.pickup_code_hash is None and self.shipment.pickup_deadline is None

    @invariant()
    def it_holds_a_compartment_only_while_going_in_or_waiting_for_a_courier(self) -> None:
        if self.shipment.compartment_id is not None:
            assert self.shipment.state in (S.ANNOUNCED, S.DROPPED_OFF)
        if self.shipment.state is S.DROPPED_OFF:
            assert self.shipment.compartment_id is not None

    @invariant()
    def it_has_ended_exactly_in_a_final_state(self) -> None:
        assert (self.shipment.ended_at is not None) == (self.shipment.state in FINAL_STATES)


DropoffLifecycle.TestCase.settings = settings(max_examples=80, stateful_step_count=20, deadline=None)
test_dropoff_lifecycle = DropoffLifecycle.TestCase
