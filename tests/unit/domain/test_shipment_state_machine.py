"""The shipment state machine of DESIGN §3, driven by random sequences of operations."""

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from parcellocker.domain.errors import IllegalTransition, InvalidInput
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.shipment import (
    ALLOWED_TRANSITIONS,
    FINAL_STATES,
    MAX_EXTENSIONS,
    Recipient,
    Shipment,
    ShipmentState,
)
from parcellocker.domain.sizes import ParcelSpec, Size

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
ACTORS = [
    Actor(ActorKind.CARRIER, "fast"),
    Actor(ActorKind.COURIER, "kuba"),
    Actor(ActorKind.TERMINAL, "terminal-L"),
    Actor(ActorKind.SYSTEM, "parcellocker"),
]
S = ShipmentState


def announced(at: datetime = START) -> Shipment:
    return Shipment.announce(
        shipment_id="shipment-1",
        tracking_number="  TRK-1 ",
        carrier_id="fast",
        locker_id="L",
        parcel=ParcelSpec(size=Size.S),
        recipient=Recipient(email="ola@example.com"),
        at=at,
        actor=ACTORS[0],
    )


OPERATIONS: dict[str, Callable[[Shipment, datetime, Actor], None]] = {
    "begin_deposit": lambda s, at, actor: s.begin_deposit("L/1", Size.S),
    "abandon_deposit": lambda s, at, actor: s.abandon_deposit(),
    "store": lambda s, at, actor: s.store(
        "a" * 64, at + timedelta(hours=72), at, actor, reminder_before=timedelta(hours=24)
    ),
    "pick_up": lambda s, at, actor: s.pick_up(at, actor),
    "cancel": lambda s, at, actor: s.cancel(at, actor),
    "expire": lambda s, at, actor: s.expire(at, actor),
    "extend_deadline": lambda s, at, actor: s.extend_deadline(
        timedelta(hours=24), at, actor, reminder_before=timedelta(hours=24)
    ),
    "remind": lambda s, at, actor: s.remind(at),
    "erase_personal_data": lambda s, at, actor: s.erase_personal_data(at, actor),
    "collect": lambda s, at, actor: s.collect(at, actor),
    "redirect": lambda s, at, actor: s.redirect(at, actor, "L2"),
    "mark_returned": lambda s, at, actor: s.mark_returned(at, actor),
    "check_can_be_picked_up": lambda s, at, actor: s.check_can_be_picked_up(at),
    # A delivery refuses the moves of a parcel its sender drops off (test_dropoff_rules.py drives those).
    "drop_off": lambda s, at, actor: s.drop_off(at, actor),
    "hand_to_carrier": lambda s, at, actor: s.hand_to_carrier(at, actor),
}


class ShipmentLifecycle(RuleBasedStateMachine):
    """Applies any operation at any time; legal ones must follow the design, illegal ones must change nothing."""

    @initialize()
    def announce(self) -> None:
        self.now = START
        self.shipment = announced()
        self.path = [S.ANNOUNCED]

    @rule(
        operation=st.sampled_from(sorted(OPERATIONS)),
        actor=st.sampled_from(ACTORS),
        minutes=st.integers(min_value=0, max_value=60 * 24 * 5),
    )
    def apply(self, operation: str, actor: Actor, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        before = copy.deepcopy(self.shipment)
        try:
            OPERATIONS[operation](self.shipment, self.now, actor)
        except IllegalTransition:
            assert self.shipment == before, f"{operation} from {before.state} raised but changed the shipment"
            return
        new_events = self.shipment.events[len(before.events) :]
        if self.shipment.state is not before.state:
            assert self.shipment.state in ALLOWED_TRANSITIONS[before.state]
            [transition] = new_events
            assert (transition.from_state, transition.to_state) == (before.state, self.shipment.state)
            assert (transition.at, transition.actor) == (self.now, actor)
            assert transition.reason
            self.path.append(self.shipment.state)
        else:
            assert all(t.from_state == t.to_state == before.state for t in new_events)

    @invariant()
    def state_follows_the_allowed_transitions(self) -> None:
        for earlier, later in zip(self.path, self.path[1:], strict=False):
            assert later in ALLOWED_TRANSITIONS[earlier]
        assert self.shipment.state is self.path[-1]

    @invariant()
    def every_change_of_state_is_kept_in_order(self) -> None:
        changes = [t for t in self.shipment.events if t.from_state != t.to_state]
        assert [t.to_state for t in changes] == self.path
        assert changes[0].from_state is None
        assert all(t.subject == "shipment" and t.subject_id == "shipment-1" for t in self.shipment.events)
        assert [t.at for t in self.shipment.events] == sorted(t.at for t in self.shipment.events)

    @invariant()
    def a_pickup_code_exists_exactly_while_stored(self) -> None:
        assert (self.shipment.pickup_code_hash is not None) == (self.shipment.state is S.STORED)
        assert (self.shipment.pickup_deadline is not None) == (self.shipment.stored_at is not None)

    @invariant()
    def only_a_shipment_in_a_locker_holds_a_compartment(self) -> None:
        if self.shipment.compartment_id is not None:
            assert self.shipment.state in (S.ANNOUNCED, S.STORED, S.EXPIRED, S.REDIRECTED)

    @invariant()
    def a_shipment_has_ended_exactly_in_a_final_state(self) -> None:
        assert (self.shipment.ended_at is not None) == (self.shipment.state in FINAL_STATES)

    @invariant()
    def personal_data_is_erased_only_after_the_end(self) -> None:
        erased = self.shipment.personal_data_erased_at is not None
        assert erased == self.shipment.recipient.erased
        if erased:
            assert self.shipment.state in FINAL_STATES
            assert (self.shipment.recipient.email, self.shipment.recipient.phone) == (None, None)

    @invariant()
    def only_a_stored_parcel_waits_for_a_reminder_and_it_is_extended_once_at_most(self) -> None:
        if self.shipment.remind_at is not None:
            assert self.shipment.state is S.STORED
            assert self.shipment.pickup_deadline is not None
            assert self.shipment.remind_at < self.shipment.pickup_deadline
        assert 0 <= self.shipment.extensions <= MAX_EXTENSIONS

    @invariant()
    def a_redirected_parcel_knows_where_it_goes(self) -> None:
        assert (self.shipment.redirect_to_locker_id is not None) == (self.shipment.state is S.REDIRECTED)

    @invariant()
    def final_states_stay_final(self) -> None:
        if self.path[-1] in FINAL_STATES:
            assert self.path.count(self.path[-1]) == 1


ShipmentLifecycle.TestCase.settings = settings(max_examples=100, stateful_step_count=20, deadline=None)
test_shipment_lifecycle = ShipmentLifecycle.TestCase


def test_the_design_states_and_moves_are_those_of_design_section_3() -> None:
    assert {
        S.ANNOUNCED: {S.STORED, S.CANCELLED, S.DROPPED_OFF},  # a parcel to send or return: docs/dropoffs.md
        S.STORED: {S.PICKED_UP, S.EXPIRED, S.REDIRECTED},
        S.EXPIRED: {S.COLLECTED},
        S.DROPPED_OFF: {S.COLLECTED},
        S.COLLECTED: {S.RETURNED, S.HANDED_TO_CARRIER},
        S.PICKED_UP: set(),
        S.RETURNED: set(),
        S.CANCELLED: set(),
        S.REDIRECTED: {S.ANNOUNCED},  # collected by a courier: announced for the new locker (docs/lifecycle.md)
        S.HANDED_TO_CARRIER: set(),
    } == ALLOWED_TRANSITIONS
    assert {S.PICKED_UP, S.RETURNED, S.CANCELLED, S.HANDED_TO_CARRIER} == FINAL_STATES


def test_announcing_records_the_first_transition_and_trims_the_tracking_number() -> None:
    shipment = announced()
    assert shipment.tracking_number == "TRK-1"
    [transition] = shipment.events
    assert (transition.from_state, transition.to_state, transition.at, transition.actor) == (
        None,
        S.ANNOUNCED,
        START,
        ACTORS[0],
    )


@pytest.mark.parametrize("tracking_number", ["", "   ", "x" * 65, "TRK\n1"])
def test_a_tracking_number_is_one_to_64_printable_characters(tracking_number: str) -> None:
    with pytest.raises(InvalidInput):
        Shipment.announce(
            shipment_id="s",
            tracking_number=tracking_number,
            carrier_id="fast",
            locker_id="L",
            parcel=ParcelSpec(size=Size.S),
            recipient=Recipient(email="ola@example.com"),
            at=START,
            actor=ACTORS[0],
        )


def test_the_happy_path_stores_and_hands_the_parcel_out() -> None:
    shipment = announced()
    shipment.begin_deposit("L/1", Size.S)
    assert shipment.deposit_in_progress
    shipment.store("h" * 64, START + timedelta(hours=72), START, ACTORS[2])
    assert (shipment.state, shipment.stored_at, shipment.pickup_code_hash) == (S.STORED, START, "h" * 64)
    shipment.pick_up(START + timedelta(hours=1), ACTORS[2])
    assert (shipment.state, shipment.compartment_id, shipment.pickup_code_hash) == (S.PICKED_UP, None, None)
    assert shipment.picked_up_at == START + timedelta(hours=1)
    assert shipment.deposited_size is Size.S


def test_a_shipment_cannot_be_stored_without_a_deposit_in_progress() -> None:
    shipment = announced()
    with pytest.raises(IllegalTransition, match="not being deposited"):
        shipment.store("h" * 64, START, START, ACTORS[2])


def test_a_parcel_being_put_in_a_compartment_cannot_be_cancelled() -> None:
    shipment = announced()
    shipment.begin_deposit("L/1", Size.S)
    with pytest.raises(IllegalTransition, match="right now"):
        shipment.cancel(START, ACTORS[0])
    shipment.abandon_deposit()
    shipment.cancel(START, ACTORS[0])
    assert shipment.state is S.CANCELLED


def test_a_parcel_cannot_be_picked_up_at_or_after_its_deadline() -> None:
    shipment = announced()
    shipment.begin_deposit("L/1", Size.S)
    deadline = START + timedelta(hours=72)
    shipment.store("h" * 64, deadline, START, ACTORS[2])
    shipment.check_can_be_picked_up(deadline - timedelta(seconds=1))
    with pytest.raises(IllegalTransition, match="deadline"):
        shipment.check_can_be_picked_up(deadline)


def test_only_a_stored_parcel_before_its_deadline_can_be_picked_up() -> None:
    shipment = announced()
    assert not shipment.can_be_picked_up(START)
    shipment.begin_deposit("L/1", Size.S)
    assert not shipment.can_be_picked_up(START)  # still being deposited
    deadline = START + timedelta(hours=72)
    shipment.store("h" * 64, deadline, START, ACTORS[2])
    assert shipment.can_be_picked_up(deadline - timedelta(seconds=1))
    assert not shipment.can_be_picked_up(deadline)
    shipment.pick_up(START + timedelta(hours=1), ACTORS[2])
    assert not shipment.can_be_picked_up(START + timedelta(hours=2))


def test_extending_moves_the_deadline_and_records_it_without_a_change_of_state() -> None:
    shipment = announced()
    shipment.begin_deposit("L/1", Size.S)
    shipment.store("h" * 64, START + timedelta(hours=72), START, ACTORS[2])
    shipment.extend_deadline(timedelta(hours=24), START, ACTORS[0])
    assert shipment.pickup_deadline == START + timedelta(hours=96)
    assert (shipment.events[-1].from_state, shipment.events[-1].to_state) == (S.STORED, S.STORED)


def test_an_expired_parcel_is_collected_and_returned() -> None:
    shipment = announced()
    shipment.begin_deposit("L/1", Size.S)
    shipment.store("h" * 64, START + timedelta(hours=72), START, ACTORS[2])
    shipment.expire(START + timedelta(hours=72), ACTORS[3])
    assert (shipment.pickup_code_hash, shipment.compartment_id) == (None, "L/1")
    shipment.collect(START + timedelta(hours=80), ACTORS[1])
    assert shipment.compartment_id is None
    shipment.mark_returned(START + timedelta(hours=90), ACTORS[0])
    assert [t.to_state for t in shipment.events] == [S.ANNOUNCED, S.STORED, S.EXPIRED, S.COLLECTED, S.RETURNED]


def test_a_redirect_names_the_new_locker_and_kills_the_code_while_the_parcel_waits_for_a_courier() -> None:
    shipment = announced()
    shipment.begin_deposit("L/1", Size.S)
    shipment.store("h" * 64, START + timedelta(hours=72), START, ACTORS[2])
    shipment.redirect(START, ACTORS[1], "L2")
    assert shipment.events[-1].details == {"to_locker_id": "L2"}
    assert (shipment.state, shipment.compartment_id, shipment.pickup_code_hash) == (S.REDIRECTED, "L/1", None)
    assert shipment.redirect_to_locker_id == "L2"


def test_collecting_a_stored_parcel_is_illegal_and_keeps_its_code_and_compartment() -> None:
    shipment = announced()
    shipment.begin_deposit("L/1", Size.S)
    shipment.store("h" * 64, START + timedelta(hours=72), START, ACTORS[2])
    with pytest.raises(IllegalTransition, match="from stored to collected"):
        shipment.collect(START, ACTORS[1])
    assert (shipment.state, shipment.pickup_code_hash, shipment.compartment_id) == (S.STORED, "h" * 64, "L/1")


@pytest.mark.parametrize("email", ["no-at-sign", "a@" + "x" * 260])
def test_a_recipient_email_must_look_like_one(email: str) -> None:
    with pytest.raises(InvalidInput, match="e-mail"):
        Recipient(email=email)


@pytest.mark.parametrize("phone", ["12345", "+48 abc 100 200", "+" + "1" * 16, "+٤٨٦٠٠١٠٠٢٠٠"])
def test_a_recipient_phone_must_look_like_one(phone: str) -> None:
    with pytest.raises(InvalidInput, match="phone"):
        Recipient(phone=phone)


def test_a_recipient_needs_a_way_to_receive_the_code() -> None:
    with pytest.raises(InvalidInput, match="e-mail address or a phone number"):
        Recipient(name="Ola")
    assert Recipient(phone="+48 600-100-200").phone == "+48 600-100-200"
