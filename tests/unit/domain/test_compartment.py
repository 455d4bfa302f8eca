from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from parcellocker.domain.compartment import Compartment, CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import IllegalTransition
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.sizes import Size

AT = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
COURIER = Actor(ActorKind.COURIER, "kuba")
TERMINAL = Actor(ActorKind.TERMINAL, "terminal-L")
St = CompartmentState


def compartment_in(state: CompartmentState) -> Compartment:
    compartment = Compartment("L/3", "L", 3, Size.M, 0, 3)
    if state in (St.RESERVED, St.OCCUPIED):
        compartment.reserve_for_deposit("shipment-1", AT, COURIER)
    if state is St.OCCUPIED:
        compartment.fill(AT, TERMINAL)
    if state is St.OUT_OF_ORDER:
        compartment.take_out_of_order(AT, COURIER, "door did not open")
    compartment.events.clear()
    return compartment


OPERATIONS: dict[str, Callable[[Compartment], None]] = {
    "reserve_for_deposit": lambda c: c.reserve_for_deposit("shipment-2", AT, COURIER),
    "release": lambda c: c.release(AT, COURIER, "parcel did not fit"),
    "fill": lambda c: c.fill(AT, TERMINAL),
    "open_for_pickup": lambda c: c.open_for_pickup(AT, TERMINAL),
    "empty": lambda c: c.empty(AT, TERMINAL, "door closed after pickup"),
    "take_out_of_order": lambda c: c.take_out_of_order(AT, COURIER, "damaged"),
    "return_to_service": lambda c: c.return_to_service(AT, COURIER),
}
# (state before, operation) -> state after, for every legal move; every other pair is illegal.
LEGAL = {
    (St.FREE, "reserve_for_deposit"): St.RESERVED,
    (St.FREE, "take_out_of_order"): St.OUT_OF_ORDER,
    (St.RESERVED, "release"): St.FREE,
    (St.RESERVED, "fill"): St.OCCUPIED,
    (St.RESERVED, "take_out_of_order"): St.OUT_OF_ORDER,
    (St.OCCUPIED, "open_for_pickup"): St.OCCUPIED,
    (St.OCCUPIED, "empty"): St.FREE,
    (St.OUT_OF_ORDER, "take_out_of_order"): St.OUT_OF_ORDER,
    (St.OUT_OF_ORDER, "return_to_service"): St.FREE,
}
ILLEGAL = [(state, name) for state in St for name in OPERATIONS if (state, name) not in LEGAL]


@pytest.mark.parametrize(("before", "operation"), list(LEGAL))
def test_legal_moves_reach_their_state(before: CompartmentState, operation: str) -> None:
    compartment = compartment_in(before)
    OPERATIONS[operation](compartment)
    assert compartment.state is LEGAL[(before, operation)]


@pytest.mark.parametrize(("before", "operation"), ILLEGAL)
def test_illegal_moves_raise_and_change_nothing(before: CompartmentState, operation: str) -> None:
    compartment = compartment_in(before)
    snapshot = (compartment.state, compartment.shipment_id, compartment.pending, compartment.out_of_order_reason)
    with pytest.raises(IllegalTransition, match="compartment 3"):
        OPERATIONS[operation](compartment)
    after = (compartment.state, compartment.shipment_id, compartment.pending, compartment.out_of_order_reason)
    assert after == snapshot
    assert compartment.events == []


@pytest.mark.parametrize(("before", "operation"), [key for key, after in LEGAL.items() if after is not key[0]])
def test_every_change_of_state_is_recorded_with_time_actor_and_reason(before: CompartmentState, operation: str) -> None:
    compartment = compartment_in(before)
    OPERATIONS[operation](compartment)
    [transition] = compartment.events
    assert (transition.subject, transition.subject_id) == ("compartment", "L/3")
    assert (transition.from_state, transition.to_state) == (before, compartment.state)
    assert transition.at == AT
    assert transition.actor in (COURIER, TERMINAL)
    assert transition.reason


def test_a_deposit_reserves_the_compartment_for_that_shipment_until_the_door_closes() -> None:
    compartment = compartment_in(St.FREE)
    compartment.reserve_for_deposit("shipment-9", AT, COURIER)
    assert (compartment.shipment_id, compartment.pending) == ("shipment-9", PendingAction.DEPOSIT)
    assert compartment.events[-1].details == {"shipment_id": "shipment-9"}
    compartment.fill(AT, TERMINAL)
    assert (compartment.state, compartment.shipment_id, compartment.pending) == (St.OCCUPIED, "shipment-9", None)


def test_opening_for_pickup_keeps_the_parcel_and_waits_for_the_door() -> None:
    compartment = compartment_in(St.OCCUPIED)
    compartment.open_for_pickup(AT, TERMINAL)
    assert (compartment.state, compartment.pending, compartment.shipment_id) == (
        St.OCCUPIED,
        PendingAction.PICKUP,
        "shipment-1",
    )
    assert compartment.events[-1].reason == "opened for a pickup"
    compartment.empty(AT, TERMINAL, "door closed after pickup")
    assert (compartment.state, compartment.pending, compartment.shipment_id) == (St.FREE, None, None)


def test_a_released_compartment_forgets_the_shipment() -> None:
    compartment = compartment_in(St.RESERVED)
    compartment.release(AT, COURIER, "parcel did not fit")
    assert (compartment.shipment_id, compartment.pending) == (None, None)


def test_out_of_order_keeps_its_reason_until_it_returns_to_service() -> None:
    compartment = compartment_in(St.RESERVED)
    compartment.take_out_of_order(AT, COURIER, "door did not open")
    assert (compartment.out_of_order_reason, compartment.shipment_id, compartment.pending) == (
        "door did not open",
        None,
        None,
    )
    compartment.take_out_of_order(AT, COURIER, "still broken")
    assert compartment.out_of_order_reason == "door did not open"
    assert len(compartment.events) == 1
    compartment.return_to_service(AT, COURIER)
    assert compartment.out_of_order_reason is None


def test_a_compartment_holding_a_parcel_cannot_be_taken_out_of_order() -> None:
    compartment = compartment_in(St.OCCUPIED)
    with pytest.raises(IllegalTransition, match="still holds a parcel"):
        compartment.take_out_of_order(AT, COURIER, "dirty")
    assert compartment.state is St.OCCUPIED


def test_the_door_sensor_is_recorded_separately_and_says_whether_it_changed() -> None:
    compartment = compartment_in(St.FREE)
    assert compartment.door is DoorState.CLOSED
    assert compartment.door_reported(DoorState.OPEN) is True
    assert compartment.door_reported(DoorState.OPEN) is False
    assert compartment.door_reported(DoorState.CLOSED) is True
    assert compartment.state is St.FREE
    assert compartment.events == []
